import { cloneElement, type ReactElement } from "react";
import { render, screen } from "@testing-library/react";
import { describe, expect, it, vi } from "vitest";

// jsdom has no layout: give the chart a fixed size instead of measuring its container
vi.mock("recharts", async (importOriginal) => {
  const original = await importOriginal<typeof import("recharts")>();
  return {
    ...original,
    ResponsiveContainer: ({ children }: { children: ReactElement<{ width?: number; height?: number }> }) => <div>{cloneElement(children, { width: 500, height: 300 })}</div>,
  };
});

import { ImportanceChart } from "./ImportanceChart";

describe("ImportanceChart", () => {
  it("explains each parameter name on the axis in a tooltip", () => {
    render(<ImportanceChart importances={{ learning_rate: 0.7, filters: 0.3 }} descriptions={{ learning_rate: "step size of the optimizer" }} />);
    const label = screen.getByTestId("importance-label-learning rate");
    expect(label.querySelector("title")?.textContent).toBe("learning rate: step size of the optimizer");
    expect(screen.getByTestId("importance-label-filters").querySelector("title")).toBeNull();
  });

  it("keeps its empty state without importances", () => {
    render(<ImportanceChart importances={{}} empty="Needs two finished trials." />);
    expect(screen.getByTestId("importances-empty")).toHaveTextContent("Needs two finished trials.");
  });
});
