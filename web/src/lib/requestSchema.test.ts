import { describe, expect, it } from "vitest";
import schema from "../../openapi.json";
import { defaultText, parseValue, requestFields, validateValue } from "./requestSchema";

describe("request fields from the OpenAPI schema", () => {
  const fields = requestFields(schema);

  it("reads defaults, limits, enums and help text", () => {
    expect(fields.trials?.kind).toBe("integer");
    expect(fields.trials?.minimum).toBe(1);
    expect(fields.trials?.maximum).toBe(10000);
    expect(typeof fields.trials?.default).toBe("number");
    expect(fields.trials?.description).not.toBe("");
    expect(fields.mode?.kind).toBe("enum");
    expect(fields.mode?.options).toEqual(["simple", "health", "pareto"]);
    expect(fields.validation_split?.exclusiveMinimum).toBe(0);
    expect(fields.health_pruning?.nullable).toBe(true);
    expect(fields.run_name?.pattern).toBeTruthy();
  });

  it("validates like the server", () => {
    const trials = fields.trials!;
    expect(validateValue(trials, "0")).toMatch(/at least 1/);
    expect(validateValue(trials, "2.5")).toMatch(/whole/);
    expect(validateValue(trials, "20")).toBeNull();
    expect(validateValue(fields.validation_split!, "1")).toMatch(/less than 1/);
    expect(validateValue(fields.run_name!, "../etc")).not.toBeNull();
    expect(validateValue(fields.run_name!, "")).toBeNull();
  });

  it("parses values and leaves empty optional fields out", () => {
    expect(parseValue(fields.trials!, "7")).toBe(7);
    expect(parseValue(fields.timeout_hours!, "")).toBeUndefined();
    expect(parseValue(fields.health_pruning!, "false")).toBe(false);
    expect(defaultText(fields.tensorboard!)).toBe(true);
  });
});
