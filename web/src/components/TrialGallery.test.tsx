import { fireEvent, render, screen, within } from "@testing-library/react";
import { MemoryRouter } from "react-router-dom";
import { describe, expect, it } from "vitest";
import type { TrialPoint } from "../lib/trials";
import { TrialGallery } from "./TrialGallery";

function point(number: number, state: string, accuracy: number | null, health: number | null, score: number | null): TrialPoint {
  return { number, state, accuracy, health, score, params: { filters: 16 * (number + 1), optimizer: "adam" }, paramCount: 1000 * (number + 1), seconds: 3, pareto: false };
}

const POINTS = [
  point(0, "complete", 0.8, 0.6, 0.74),
  point(1, "complete", 0.95, 0.4, 0.785),
  point(2, "pruned", 0.5, null, null),
  point(3, "complete", 0.9, 0.9, 0.9),
  point(4, "failed", null, null, null),
];

function renderGallery() {
  return render(
    <MemoryRouter>
      <TrialGallery jobId="job1" runName="run1" points={POINTS} best={3} reasons={{ 2: "median pruner at epoch 1", 4: "out of memory" }} />
    </MemoryRouter>,
  );
}

const order = () => screen.getAllByTestId(/^trial-card-/).map((card) => Number(card.dataset.testid?.replace("trial-card-", "")));

describe("TrialGallery", () => {
  it("shows a card per trial in number order, the best highlighted, each linking to its trial", () => {
    renderGallery();
    expect(order()).toEqual([0, 1, 2, 3, 4]);
    const best = screen.getByTestId("trial-card-3");
    expect(best).toHaveClass("highlight");
    expect(within(best).getByText(/best/)).toBeInTheDocument();
    expect(within(best).getByRole("link", { name: "Trial 3" })).toHaveAttribute("href", "/jobs/job1/trials/3");
    expect(screen.getByTestId("trial-card-0")).not.toHaveClass("highlight");
    expect(within(screen.getByTestId("trial-card-2")).getByText("median pruner at epoch 1")).toBeInTheDocument();
    expect(screen.getByText("5 trials")).toBeInTheDocument();
    const csv = screen.getByRole("link", { name: /Trials \(\.csv\)/ });
    expect(csv).toHaveAttribute("download", "run1_trials.csv");
    expect(csv.getAttribute("href")).toMatch(/\/api\/jobs\/job1\/trials\.csv$/);
  });

  it("sorts by score, accuracy or health, best first, trials without a value last", () => {
    renderGallery();
    const sort = screen.getByLabelText("Sort by");
    fireEvent.change(sort, { target: { value: "accuracy" } });
    expect(order()).toEqual([1, 3, 0, 2, 4]);
    fireEvent.change(sort, { target: { value: "health" } });
    expect(order().slice(0, 3)).toEqual([3, 0, 1]);
    fireEvent.change(sort, { target: { value: "score" } });
    expect(order().slice(0, 3)).toEqual([3, 1, 0]);
    fireEvent.change(sort, { target: { value: "number" } });
    expect(order()).toEqual([0, 1, 2, 3, 4]);
  });

  it("filters by state and offers only the states present", () => {
    renderGallery();
    const filter = screen.getByLabelText("Show");
    expect(within(filter).getAllByRole("option").map((o) => o.textContent)).toEqual(["all", "complete", "pruned", "failed"]);
    fireEvent.change(filter, { target: { value: "complete" } });
    expect(order()).toEqual([0, 1, 3]);
    expect(screen.getByText("3 trials")).toBeInTheDocument();
    fireEvent.change(filter, { target: { value: "failed" } });
    expect(order()).toEqual([4]);
    fireEvent.change(screen.getByLabelText("Sort by"), { target: { value: "accuracy" } });
    expect(order()).toEqual([4]);
  });

  it("explains a hyperparameter's name on hover when its description is known", () => {
    render(
      <MemoryRouter>
        <TrialGallery jobId="job1" runName="run1" points={POINTS.slice(0, 1)} best={null} reasons={{}} descriptions={{ filters: "convolution filters in the first block" }} />
      </MemoryRouter>,
    );
    const card = screen.getByTestId("trial-card-0");
    expect(within(card).getByText("filters")).toHaveAttribute("title", "filters: convolution filters in the first block");
    expect(within(card).getByText("optimizer")).not.toHaveAttribute("title");
  });
});
