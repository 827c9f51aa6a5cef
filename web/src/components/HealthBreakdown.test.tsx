import { render, screen } from "@testing-library/react";
import { describe, expect, it } from "vitest";
import type { Schemas } from "../api/client";
import { HealthBreakdown } from "./HealthBreakdown";

const weights = {
  accuracy_weight: 0.7,
  health_overall_weight: 0.3,
  health_component_proportions: { neuron_utilization: 0.5, calibration: 0.5 },
};

const stalled: Schemas["HealthReportOut"] = {
  version: 4,
  metrics: { neuron_utilization: 1, calibration: 0.8 },
  gate: { gain: 0.02, chance: 0.1, learning_factor: 0.04, cap: 0.5, worst_severity: "critical", learned: false },
  findings: [
    { severity: "info", metric: "calibration", layer: null, title: "underconfident", explanation: "e", suggestion: "s" },
    { severity: "critical", metric: "learning", layer: null, title: "the model did not learn", explanation: "e", suggestion: "s" },
  ],
};

describe("HealthBreakdown", () => {
  it("shows health through the learning gate and the critical finding first", () => {
    render(<HealthBreakdown health={stalled} accuracy={0.12} weights={weights} mode="health" descriptions={{}} />);
    // weighted 0.9, x 0.04 = 0.036: the gate, not the calm metrics, decides
    expect(screen.getByText(/Health 0\.036 \(weighted metrics 0\.900 × learning factor 0\.04/)).toBeVisible();
    const titles = screen.getAllByText(/the model did not learn|underconfident/).map((e) => e.textContent);
    expect(titles).toEqual(["the model did not learn", "underconfident"]);
  });

  it("says so when a trial has no report", () => {
    render(<HealthBreakdown health={null} accuracy={null} weights={weights} mode="health" descriptions={{}} />);
    expect(screen.getByText(/No health report for this trial/)).toBeVisible();
  });
});
