import { render, screen } from "@testing-library/react";
import { describe, expect, it } from "vitest";
import { PerClassTable } from "./PerClassTable";

const metrics = {
  objective: "macro_f1",
  val_objective: 0.81234,
  test_objective: 0.8,
  per_class: {
    validation: {},
    test: {
      cat: { precision: 0.9, recall: 0.95, f1: 0.92, support: 40 },
      dog: { precision: 0.5, recall: 0.2, f1: 0.29, support: 5 },
    },
  },
};

describe("PerClassTable", () => {
  it("lists every class, marks the lowest recall and names the objective", () => {
    render(<PerClassTable metrics={metrics} />);
    expect(screen.getByRole("row", { name: /dog/ })).toHaveTextContent("0.200");
    expect(screen.getByText("0.200")).toHaveClass("warning-text");
    expect(screen.getByText("0.950")).not.toHaveClass("warning-text");
    expect(screen.getByText(/macro F1/)).toBeInTheDocument();
    expect(screen.getByText(/validation 0\.8123/)).toBeInTheDocument();
  });

  it("shows nothing for a trial stored before per-class results", () => {
    const { container } = render(<PerClassTable metrics={{ val_accuracy: 0.9 }} />);
    expect(container).toBeEmptyDOMElement();
  });
});
