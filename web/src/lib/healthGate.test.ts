import { describe, expect, it } from "vitest";
import { badgeColourValue, gatedHealth, healthGate } from "./healthGate";

describe("health gate", () => {
  it("scales by the learning factor and caps at a critical finding", () => {
    const gate = healthGate({ gain: 0.05, chance: 0.1, learning_factor: 0.1, cap: 0.5, worst_severity: "critical", learned: false });
    expect(gate).not.toBeNull();
    expect(gatedHealth(0.8, gate)).toBeCloseTo(0.08);
    expect(gatedHealth(0.8, { learning_factor: 1, cap: 0.5, worst_severity: "critical" })).toBe(0.5);
    expect(gatedHealth(0.8, null)).toBe(0.8);
    expect(healthGate(undefined)).toBeNull();
    expect(healthGate({ cap: 1 })).toBeNull();
  });
  it("never colours a badge green when the worst finding is critical or a warning", () => {
    expect(badgeColourValue(0.9, "critical")).toBe(0.15);
    expect(badgeColourValue(0.9, "warning")).toBe(0.5);
    expect(badgeColourValue(0.9, "info")).toBe(0.9);
    expect(badgeColourValue(0.1, "warning")).toBe(0.1);
    expect(badgeColourValue(null, "critical")).toBeNull();
  });
});
