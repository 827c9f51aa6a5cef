import { describe, expect, it } from "vitest";
import type { OptimizationRequest, WeightsIn } from "../api/client";
import { bestOf, jobWeights } from "./jobWeights";
import { BUILTIN_DEFAULTS } from "./weights";

const proportions = BUILTIN_DEFAULTS.health_component_proportions;
/** A submitted request that only says what these tests read: its weights. */
const asked = (weights?: WeightsIn) => ({ weights }) as OptimizationRequest;

describe("jobWeights", () => {
  it("uses the weights in force after a re-score, not the submitted request's", () => {
    const job = {
      weights: { accuracy_weight: 0.55, health_overall_weight: 0.45, health_component_proportions: proportions },
      request: asked({ accuracy_weight: 0.7, health_overall_weight: 0.3 }),
    };
    const w = jobWeights(job, BUILTIN_DEFAULTS);
    expect(w.accuracy_weight).toBe(0.55);
    expect(w.health_overall_weight).toBe(0.45);
  });

  it("falls back to the request, completing missing parts", () => {
    const w = jobWeights({ request: asked({ accuracy_weight: 0.8 }) }, BUILTIN_DEFAULTS);
    expect(w.accuracy_weight).toBe(0.8);
    expect(w.health_overall_weight).toBeCloseTo(0.2);
    expect(w.health_component_proportions).toEqual(proportions);
  });

  it("falls back to the defaults without any weights", () => {
    expect(jobWeights(undefined, BUILTIN_DEFAULTS).accuracy_weight).toBe(0.7);
    expect(jobWeights({ weights: {}, request: asked() }, BUILTIN_DEFAULTS).health_overall_weight).toBeCloseTo(0.3);
  });
});

describe("bestOf", () => {
  const progress = { best_trial: 0, best_score: 0.8664 };
  it("an ended job's result wins over the progress counters (re-scored)", () => {
    expect(bestOf({ result: { best_trial: 2, best_score: 0.833 } }, progress, true)).toEqual({ trial: 2, score: 0.833 });
  });
  it("a running job follows the live progress", () => {
    expect(bestOf({ result: null }, progress, false)).toEqual({ trial: 0, score: 0.8664 });
  });
  it("nothing known yet", () => {
    expect(bestOf({ result: null }, undefined, false)).toEqual({ trial: null, score: null });
  });
});
