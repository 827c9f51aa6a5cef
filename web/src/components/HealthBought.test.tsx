import { render, screen, within } from "@testing-library/react";
import { describe, expect, it } from "vitest";
import type { HealthBought } from "../api/client";
import { HealthBoughtSection, HealthBoughtTable } from "./HealthBought";

const entry = (trial: number, test: number, calibration: number, corrupted: number) => ({
  trial, score: 0.8, val_accuracy: 0.97, health: 0.7, measured: true, test_accuracy: test,
  calibration_error: calibration, corrupted_accuracy: corrupted, corruptions: { blur: corrupted }, examples: 360,
});

const differing: HealthBought = {
  chosen: entry(3, 0.96, 0.02, 0.9),
  accuracy_only: entry(5, 0.97, 0.05, 0.8),
  others: [],
  same_trial: false,
  differences: { test_accuracy: -0.01, calibration_error: -0.03, corrupted_accuracy: 0.1 },
  summary: "Health-aware selection picked trial 3 over trial 5 (the accuracy-only pick): test accuracy -1.0 points.",
};

describe("HealthBought", () => {
  it("puts the pick beside the accuracy-only pick and says which way each difference goes", () => {
    render(<HealthBoughtTable data={differing} />);
    expect(screen.getByRole("columnheader", { name: "Picked: trial 3" })).toBeVisible();
    expect(screen.getByRole("columnheader", { name: "Accuracy alone: trial 5" })).toBeVisible();
    const calibration = screen.getByRole("row", { name: /Calibration error/ });
    expect(within(calibration).getByText("−0.0300 better")).toBeVisible(); // lower is better
    const test = screen.getByRole("row", { name: /Test accuracy/ });
    expect(within(test).getByText("−0.0100 worse")).toBeVisible();
    expect(screen.getByText(differing.summary)).toBeVisible();
  });

  it("shows one column when both picks are the same trial, and nothing without a comparison", () => {
    const same = { ...differing, accuracy_only: differing.chosen, same_trial: true, differences: null, summary: "same" };
    render(<HealthBoughtSection data={same} />);
    expect(screen.getByRole("heading", { name: /What health bought you/ })).toBeVisible();
    expect(screen.queryByRole("columnheader", { name: /Accuracy alone/ })).toBeNull();
    const { container } = render(<HealthBoughtSection data={null} />);
    expect(container).toBeEmptyDOMElement();
  });
});
