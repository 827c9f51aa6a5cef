import { render, screen } from "@testing-library/react";
import { describe, expect, it } from "vitest";
import type { LiveTrial } from "../api/events";
import type { RunningTrial } from "../api/client";
import { RunningTrials } from "./RunningTrials";

const running = [{ trial: 0, epoch: 1, metrics: { val_accuracy: 0.5 } }] as unknown as RunningTrial[];

describe("RunningTrials", () => {
  it("says the run is starting while a running job has not finished or started any trial", () => {
    render(<RunningTrials running={[]} live={{}} epochs={3} jobStatus="running" finished={0} />);
    expect(screen.getByText(/^Starting…/)).toBeInTheDocument();
    expect(screen.queryByText("No trial is training right now.")).not.toBeInTheDocument();
  });

  it("says a queued job is waiting for its first trial", () => {
    render(<RunningTrials running={[]} live={{}} epochs={3} jobStatus="queued" finished={0} />);
    expect(screen.getByText(/^Queued/)).toBeInTheDocument();
    expect(screen.queryByText("No trial is training right now.")).not.toBeInTheDocument();
  });

  it("keeps 'no trial is training' between trials, and while the progress is unknown", () => {
    const { unmount } = render(<RunningTrials running={[]} live={{}} epochs={3} jobStatus="running" finished={1} />);
    expect(screen.getByText("No trial is training right now.")).toBeInTheDocument();
    unmount();
    const ended: Record<number, LiveTrial> = { 0: { trial: 0, params: {}, startedAt: 0, epochs: [], state: "complete" } };
    const second = render(<RunningTrials running={[]} live={ended} epochs={3} jobStatus="running" finished={0} />);
    expect(screen.getByText("No trial is training right now.")).toBeInTheDocument();
    second.unmount();
    render(<RunningTrials running={[]} live={{}} epochs={3} jobStatus="running" />);
    expect(screen.getByText("No trial is training right now.")).toBeInTheDocument();
  });

  it("shows a card per running trial", () => {
    render(<RunningTrials running={running} live={{}} epochs={3} jobStatus="running" finished={0} />);
    expect(screen.getByTestId("running-0")).toHaveTextContent("epoch 1 / 3");
    expect(screen.queryByText(/Starting/)).not.toBeInTheDocument();
  });
});
