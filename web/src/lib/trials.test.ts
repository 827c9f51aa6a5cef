import { describe, expect, it } from "vitest";
import type { Trial } from "../api/client";
import { historySeries, trialPoint, type TrialPoint } from "./trials";

const p = (number: number, accuracy: number, health: number, score = accuracy): TrialPoint => ({
  number, state: "complete", score, accuracy, health, params: {}, paramCount: null, seconds: null, pareto: false,
});

describe("trials", () => {
  it("takes the Pareto flag and the health from the server's trial", () => {
    const trial: Trial = {
      number: 4, state: "complete", params: {}, score: 0.8, pareto: true,
      metrics: { val_accuracy: 0.9, health: { neuron_utilization: 0.5, gradient_health: 1 } },
    };
    const point = trialPoint(trial, { neuron_utilization: 0.5, gradient_health: 0.5 });
    expect(point.pareto).toBe(true);
    expect(point.accuracy).toBe(0.9);
    expect(point.health).toBeCloseTo(0.75);
    expect(trialPoint({ ...trial, pareto: false }, {}).pareto).toBe(false);
  });
  it("puts the health through the trial's gate and keeps its worst finding", () => {
    const trial: Trial = {
      number: 1, state: "complete", params: {}, score: 0.1, pareto: false,
      metrics: {
        val_accuracy: 0.11, health: { neuron_utilization: 1, gradient_health: 1 },
        health_gate: { gain: 0.01, chance: 0.1, learning_factor: 0.02, cap: 0.5, worst_severity: "critical", learned: false },
      },
    };
    const point = trialPoint(trial, { neuron_utilization: 0.5, gradient_health: 0.5 });
    expect(point.health).toBeCloseTo(0.02);
    expect(point.worst).toBe("critical");
  });
  it("tracks the best score so far", () => {
    expect(historySeries([p(1, 0.5, 0), p(0, 0.7, 0), p(2, 0.9, 0)]).map((x) => x.best)).toEqual([0.7, 0.7, 0.9]);
  });
});
