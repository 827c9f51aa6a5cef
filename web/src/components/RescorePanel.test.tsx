import type { ReactNode } from "react";
import { QueryClient, QueryClientProvider } from "@tanstack/react-query";
import { render, screen } from "@testing-library/react";
import { describe, expect, it } from "vitest";
import { BUILTIN_DEFAULTS } from "../lib/weights";
import { RescorePanel } from "./RescorePanel";

function wrap(ui: ReactNode) {
  return render(<QueryClientProvider client={new QueryClient()}>{ui}</QueryClientProvider>);
}

const panel = (completed: number | undefined) => (
  <RescorePanel jobId="job1" initial={BUILTIN_DEFAULTS} defaults={BUILTIN_DEFAULTS} descriptions={{}} onRescored={() => {}} completed={completed} />
);

describe("RescorePanel", () => {
  it("explains in one line, without sliders or button, that a run with no completed trial has nothing to re-score", () => {
    wrap(panel(0));
    expect(screen.getByTestId("rescore-unavailable")).toHaveTextContent("nothing to re-score");
    expect(screen.queryByRole("button", { name: "Re-score trials" })).not.toBeInTheDocument();
    expect(screen.queryByLabelText("Accuracy weight")).not.toBeInTheDocument();
  });

  it("offers the sliders and the button once a trial completed (or while that is unknown)", () => {
    const { unmount } = wrap(panel(2));
    expect(screen.getByRole("button", { name: "Re-score trials" })).toBeEnabled();
    expect(screen.getByLabelText("Accuracy weight")).toBeInTheDocument();
    expect(screen.queryByTestId("rescore-unavailable")).not.toBeInTheDocument();
    unmount();
    wrap(panel(undefined));
    expect(screen.getByRole("button", { name: "Re-score trials" })).toBeInTheDocument();
  });
});
