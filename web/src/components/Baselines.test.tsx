import { render, screen } from "@testing-library/react";
import { describe, expect, it } from "vitest";
import { Baselines, belowLinear } from "./Baselines";

const baselines = [
  { name: "majority", description: "always '1'", val_accuracy: 0.1, test_accuracy: 0.1, train_examples: 640, subsampled: false, seconds: 0 },
  { name: "linear", description: "logistic regression on standardized pixels", val_accuracy: 0.956, test_accuracy: 0.95, train_examples: 640, subsampled: false, seconds: 0.03 },
];

describe("Baselines", () => {
  it("names both reference models and warns when the best network does not beat the linear one", () => {
    const message = "The best network (0.1875) does not beat a logistic regression on standardized pixels (0.9563).";
    render(<Baselines baselines={baselines} verdict={{ beats_linear: false, linear_val_accuracy: 0.956, message }} />);
    expect(screen.getByTestId("baselines")).toHaveTextContent(/majority class 10\.0%.*linear model 95\.6%/);
    expect(screen.getByRole("note")).toHaveTextContent(message);
  });

  it("shows nothing before the run fitted them, and marks trials at or below the linear model", () => {
    const { container } = render(<Baselines baselines={[]} verdict={null} />);
    expect(container).toBeEmptyDOMElement();
    expect(belowLinear(0.9, baselines)).toBe(true);
    expect(belowLinear(0.97, baselines)).toBe(false);
    expect(belowLinear(null, baselines)).toBe(false);
  });
});
