import { render, screen } from "@testing-library/react";
import { describe, expect, it } from "vitest";
import type { TrialPoint } from "../../lib/trials";
import { ParallelCoordinates } from "./ParallelCoordinates";

function point(number: number, params: Record<string, unknown>, score = 0.5 + number / 10): TrialPoint {
  return { number, state: "complete", accuracy: score, health: 0.5, score, params, paramCount: 1000, seconds: 3, pareto: false };
}

const axisNames = () => screen.queryAllByTestId(/^axis-/).map((el) => el.dataset.testid?.replace("axis-", ""));

describe("ParallelCoordinates", () => {
  it("leaves out a parameter that had the same value in every trial", () => {
    const points = [
      point(0, { filters: 16, optimizer: "adam", batch_norm: true }),
      point(1, { filters: 32, optimizer: "adam", batch_norm: true }),
      point(2, { filters: 64, optimizer: "adam", batch_norm: true }),
    ];
    render(<ParallelCoordinates points={points} params={["filters", "optimizer", "batch_norm"]} />);
    expect(axisNames()).toEqual(["filters", "score"]);
    expect(screen.getByRole("img")).toHaveAttribute("aria-label", "Parallel coordinates of 3 trials over 1 parameters");
  });

  it("fills up to `max` axes from the varying parameters, in the given order", () => {
    const points = [point(0, { a: 1, b: 1, c: 1, d: "x" }), point(1, { a: 2, b: 1, c: 2, d: "y" })];
    render(<ParallelCoordinates points={points} params={["a", "b", "c", "d"]} max={2} />);
    expect(axisNames()).toEqual(["a", "c", "score"]);
  });

  it("keeps an explanation instead of a chart when no parameter varied", () => {
    const points = [point(0, { optimizer: "adam" }), point(1, { optimizer: "adam" })];
    render(<ParallelCoordinates points={points} params={["optimizer"]} />);
    expect(screen.queryByRole("img")).not.toBeInTheDocument();
    expect(screen.getByTestId("parallel-empty")).toHaveTextContent("same value in all finished trials");
  });

  it("keeps the existing message with fewer than two finished trials", () => {
    render(<ParallelCoordinates points={[point(0, { filters: 16 })]} params={["filters"]} />);
    expect(screen.getByText("Parallel coordinates need at least two finished trials.")).toBeInTheDocument();
  });

  it("explains a parameter's axis label in its tooltip", () => {
    const points = [point(0, { filters: 16 }), point(1, { filters: 32 })];
    render(<ParallelCoordinates points={points} params={["filters"]} descriptions={{ filters: "convolution filters in the first block" }} />);
    expect(screen.getByTestId("axis-filters").querySelector("title")?.textContent).toBe("filters: convolution filters in the first block");
    expect(screen.getByTestId("axis-score").querySelector("title")).toBeNull();
  });
});
