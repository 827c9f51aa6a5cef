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
