import { render, screen } from "@testing-library/react";
import { describe, expect, it } from "vitest";
import type { SearchParam } from "../api/client";
import { ApiError } from "../api/client";
import { overrideErrors, overrideProblems, overridesToRequest, SearchSpaceOverrides, type Overrides } from "./SearchSpaceOverrides";

const PARAMS: SearchParam[] = [
  { name: "conv_blocks", kind: "int", description: "blocks", architectures: ["cnn"], low: 1, high: 4, log: false, choices: [], condition: null, default: 2 },
  { name: "filters", kind: "categorical", description: "filters", architectures: ["cnn"], low: null, high: null, log: false, choices: [16, 32, 64], condition: null, default: 32 },
  { name: "dense_units", kind: "categorical", description: "units", architectures: ["cnn"], low: null, high: null, log: false, choices: [64, 128], condition: null, default: 128 },
];

describe("overrideErrors", () => {
  it("puts a 422 on search_space_overrides under the parameter its location names", () => {
    // what FastAPI answers for {"conv_blocks": {"low": 5, "high": 2}}
    const error = new ApiError(422, [
      { loc: ["body", "search_space_overrides", "conv_blocks"], msg: "search_space_overrides['conv_blocks']: low must be <= high, got low=5, high=2" },
    ]);
    expect(overrideErrors(error.fieldErrors())).toEqual({
      conv_blocks: "search_space_overrides['conv_blocks']: low must be <= high, got low=5, high=2",
    });
  });

  it("still reads the parameter from the message when the location stops at search_space_overrides", () => {
    expect(overrideErrors({ search_space_overrides: "unknown parameter 'bogus'" })).toEqual({ bogus: "unknown parameter 'bogus'" });
    expect(overrideErrors({ trials: "must be at least 1" })).toEqual({});
  });
});

describe("overrideProblems", () => {
  it("flags overrides the request would silently drop or the server refuses", () => {
    const overrides: Overrides = {
      conv_blocks: { how: "range", low: "5", high: "2" },
      filters: { how: "choices", choices: [] },
      dense_units: { how: "fix", value: "" },
    };
    // without the check these three are left out of the request and the full range is searched
    expect(overridesToRequest(PARAMS, { filters: overrides.filters!, dense_units: overrides.dense_units! })).toEqual({});
    const problems = overrideProblems(PARAMS, overrides);
    expect(Object.keys(problems).sort()).toEqual(["conv_blocks", "dense_units", "filters"]);
    expect(problems.conv_blocks).toMatch(/low end/);
    expect(problems.filters).toMatch(/at least one/);
  });

  it("is empty for fine overrides", () => {
    expect(
      overrideProblems(PARAMS, {
        conv_blocks: { how: "range", low: "1", high: "3" },
        filters: { how: "choices", choices: ["16"] },
        dense_units: { how: "search" },
      }),
    ).toEqual({});
  });
});

describe("SearchSpaceOverrides", () => {
  it("shows a parameter's error in its row", () => {
    render(
      <SearchSpaceOverrides
        params={PARAMS}
        architecture="cnn"
        overrides={{ conv_blocks: { how: "range", low: "5", high: "2" } }}
        onChange={() => undefined}
        errors={{ conv_blocks: "low must be <= high" }}
      />,
    );
    const alert = screen.getByRole("alert");
    expect(alert).toHaveTextContent("low must be <= high");
    expect(alert.closest("tr")).toHaveTextContent("conv blocks");
  });
});

// As GET /api/search-space sends them: the searched range plus what the model accepts.
const WITH_LIMITS: SearchParam[] = [
  { ...PARAMS[0]!, allowed_low: 1, allowed_high: 6, allowed_choices: [] },
  { ...PARAMS[1]!, allowed_low: 1, allowed_high: 1024, allowed_choices: [] },
  {
    name: "activation", kind: "categorical", description: "non-linearity", architectures: ["cnn"], low: null, high: null, log: false,
    choices: ["relu", "gelu"], condition: null, default: "relu", allowed_choices: ["relu", "gelu", "elu", "tanh"],
  },
];

describe("override limits", () => {
  it("lets an override leave the searched range up to what the model accepts, and no further", () => {
    expect(overrideProblems(WITH_LIMITS, { conv_blocks: { how: "range", low: "5", high: "6" } })).toEqual({});
    expect(overrideProblems(WITH_LIMITS, { conv_blocks: { how: "range", low: "5", high: "9" } }).conv_blocks).toBe("use a number from 1 to 6");
    expect(overrideProblems(WITH_LIMITS, { filters: { how: "fix", value: "2000" } }).filters).toBe("use a number from 1 to 1024");
    expect(overrideProblems(WITH_LIMITS, { filters: { how: "fix", value: "8.5" } }).filters).toBe("use a whole number");
    expect(overridesToRequest(WITH_LIMITS, { filters: { how: "fix", value: "8" }, activation: { how: "fix", value: "elu" } })).toEqual({
      filters: 8,
      activation: "elu",
    });
  });

  it("shows the limits and offers every accepted choice", () => {
    render(
      <SearchSpaceOverrides
        params={WITH_LIMITS}
        architecture="cnn"
        overrides={{ activation: { how: "fix", value: "relu" }, filters: { how: "fix", value: "32" } }}
        onChange={() => undefined}
        errors={{}}
      />,
    );
    expect(screen.getByText("you may use 1 – 6")).toBeInTheDocument();
    expect(screen.getByText("you may use relu, gelu, elu, tanh")).toBeInTheDocument();
    const options = Array.from(screen.getByLabelText("activation value").querySelectorAll("option")).map((o) => o.textContent);
    expect(options).toEqual(["relu", "gelu", "elu", "tanh"]);
    const filters = screen.getByLabelText("filters value");
    expect(filters).toHaveAttribute("type", "number");
    expect(filters).toHaveAttribute("max", "1024");
  });
});
