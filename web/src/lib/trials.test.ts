import { describe, expect, it } from "vitest";
import { historySeries, paretoFront, type TrialPoint } from "./trials";

const p = (number: number, accuracy: number, health: number, score = accuracy): TrialPoint => ({
  number, state: "complete", score, accuracy, health, params: {}, paramCount: null, seconds: null,
});

describe("trials", () => {
  it("finds the Pareto front", () => {
    const front = paretoFront([p(0, 0.9, 0.5), p(1, 0.8, 0.7), p(2, 0.7, 0.6), p(3, 0.95, 0.4)]);
    expect([...front].sort()).toEqual([0, 1, 3]);
  });
  it("tracks the best score so far", () => {
    expect(historySeries([p(1, 0.5, 0), p(0, 0.7, 0), p(2, 0.9, 0)]).map((x) => x.best)).toEqual([0.7, 0.7, 0.9]);
  });
});
