import { useState } from "react";
import { fireEvent, render, screen } from "@testing-library/react";
import { describe, expect, it } from "vitest";
import { BUILTIN_DEFAULTS, fromWeights, simpleModeWeights, type WeightState } from "../lib/weights";
import { WeightSliders } from "./WeightSliders";
import { WORKED } from "../test/weights";

const METRICS = Object.keys(WORKED.health_component_proportions); // the six of the worked examples


function Harness({ initial, disabled = false }: { initial: WeightState; disabled?: boolean }) {
  const [state, setState] = useState(initial);
  return (
    <WeightSliders
      state={state}
      onChange={setState}
      descriptions={{ neuron_utilization: "share of units that still respond" }}
      disabled={disabled}
      disabledReason="Simple mode scores accuracy only."
    />
  );
}

const shown = (name: string) => screen.getByTestId(`value-${name}`).textContent;
const slide = (name: string, value: number) => fireEvent.change(screen.getByTestId(`slider-${name}`), { target: { value: String(value) } });

function displayedTotal(): number {
  return ["accuracy", ...METRICS].map((n) => Number.parseFloat(shown(n) ?? "0")).reduce((a, b) => a + b, 0);
}

describe("WeightSliders", () => {
  it("shows the weights with a label on every slider", () => {
    render(<Harness initial={fromWeights(WORKED)} />);
    expect(shown("accuracy")).toBe("70.0%");
    expect(shown("health")).toBe("30.0%");
    expect(METRICS.map(shown)).toEqual(["7.5%", "4.5%", "6.0%", "4.5%", "4.5%", "3.0%"]);
    expect(screen.getByLabelText("Accuracy weight")).toHaveAttribute("type", "range");
    expect(screen.getByLabelText("Health overall weight")).toHaveAttribute("aria-valuetext", "30.0%");
    expect(screen.getByLabelText("neuron utilization")).toBeEnabled();
  });

  it("rebalances the others when one slider moves, always summing to 100%", () => {
    render(<Harness initial={fromWeights(WORKED)} />);
    slide("health", 40);
    expect(shown("accuracy")).toBe("60.0%");
    expect(METRICS.map(shown)).toEqual(["10.0%", "6.0%", "8.0%", "6.0%", "6.0%", "4.0%"]);
    slide("neuron_utilization", 35);
    expect(shown("neuron_utilization")).toBe("14.0%");
    expect(displayedTotal()).toBeCloseTo(100, 6);
    slide("accuracy", 80);
    expect(shown("health")).toBe("20.0%");
    for (const value of [33.5, 0, 100, 12.5, 66.5]) {
      slide("accuracy", value);
      expect(displayedTotal()).toBeCloseTo(100, 6);
    }
    expect(screen.getByText(/= 100\.0%/)).toBeInTheDocument();
  });

  it("locks every slider with the reason in simple mode", () => {
    render(<Harness initial={simpleModeWeights(BUILTIN_DEFAULTS)} disabled />);
    expect(shown("accuracy")).toBe("100.0%");
    expect(shown("health")).toBe("0.0%");
    for (const slider of screen.getAllByRole("slider")) expect(slider).toBeDisabled();
    expect(screen.getByText("Simple mode scores accuracy only.")).toBeInTheDocument();
  });
});
