import { render, screen } from "@testing-library/react";
import { MemoryRouter, Route, Routes } from "react-router-dom";
import { beforeEach, describe, expect, it, vi } from "vitest";
import { ApiError } from "../api/client";

// every query hook pending unless a test says otherwise; no request leaves the test
const state = vi.hoisted(() => ({ job: {} as Record<string, unknown>, trial: {} as Record<string, unknown> }));
vi.mock("../api/hooks", () => {
  const pending = () => ({ isPending: true, isError: false, data: undefined, error: null, refetch: () => {} });
  return {
    useJob: () => state.job,
    useTrial: () => state.trial,
    usePlotData: pending,
    useArchitecture: pending,
    useSearchSpace: pending,
    useDefaultWeights: pending,
  };
});

import TrialDetailPage from "./TrialDetailPage";

const missing = () => ({ isPending: false, isError: true, data: undefined, error: new ApiError(404, "not found"), refetch: () => {} });

function renderAt(path: string) {
  return render(
    <MemoryRouter initialEntries={[path]}>
      <Routes>
        <Route path="/jobs/:jobId/trials/:number" element={<TrialDetailPage />} />
      </Routes>
    </MemoryRouter>,
  );
}

describe("TrialDetailPage", () => {
  beforeEach(() => {
    state.job = { isPending: false, isError: false, data: { id: "job1", run_name: "digits_run" }, error: null };
    state.trial = missing();
  });

  it("links an unknown trial back to its job's dashboard and to the jobs list", () => {
    renderAt("/jobs/job1/trials/7");
    expect(screen.getByText("No such trial")).toBeInTheDocument();
    expect(screen.getByRole("link", { name: /digits_run's dashboard/ })).toHaveAttribute("href", "/jobs/job1");
    expect(screen.getByRole("link", { name: "All jobs" })).toHaveAttribute("href", "/jobs");
  });

  it("links a malformed trial number the same way", () => {
    renderAt("/jobs/job1/trials/abc");
    expect(screen.getByText("No such trial")).toBeInTheDocument();
    expect(screen.getByRole("link", { name: /dashboard/ })).toHaveAttribute("href", "/jobs/job1");
  });

  it("offers only the jobs list when the job is unknown too", () => {
    state.job = missing();
    renderAt("/jobs/nope/trials/0");
    expect(screen.queryByRole("link", { name: /dashboard/ })).not.toBeInTheDocument();
    expect(screen.getByRole("link", { name: "All jobs" })).toHaveAttribute("href", "/jobs");
  });
});
