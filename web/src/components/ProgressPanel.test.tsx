import { render, screen } from "@testing-library/react";
import { describe, expect, it } from "vitest";
import type { JobStatus } from "../api/client";
import { ProgressPanel } from "./ProgressPanel";

function status(target: number | null, finished = 0): JobStatus {
  return {
    id: "job1",
    status: "running",
    progress: { target_trials: target, finished, complete: finished, pruned: 0, failed: 0, rejected: 0, running: 0 },
  } as JobStatus;
}

describe("ProgressPanel", () => {
  it("shows the job's trial count while the progress does not know the target yet (no '?')", () => {
    render(<ProgressPanel status={status(null)} trials={3} />);
    expect(screen.getByText("0 of 3 trials finished")).toBeInTheDocument();
    expect(screen.getByRole("progressbar")).toHaveAttribute("aria-valuemax", "3");
    expect(screen.queryByText(/\?/)).not.toBeInTheDocument();
  });

  it("prefers the progress target and says 'trial' for one", () => {
    render(<ProgressPanel status={status(1, 1)} trials={5} />);
    expect(screen.getByText("1 of 1 trial finished")).toBeInTheDocument();
  });

  it("without any target, counts what finished", () => {
    render(<ProgressPanel status={status(null, 2)} />);
    expect(screen.getByText("2 finished")).toBeInTheDocument();
  });

  it("counts trials a cancel cut short apart from the finished ones", () => {
    const cancelled = status(3, 1);
    cancelled.progress.cut_short = 1;
    render(<ProgressPanel status={cancelled} />);
    expect(screen.getByText("1 of 3 trials finished")).toBeInTheDocument();
    expect(screen.getByText("1 cut short")).toBeInTheDocument();
    expect(screen.getByText("0 failed")).toBeInTheDocument();
  });
});
