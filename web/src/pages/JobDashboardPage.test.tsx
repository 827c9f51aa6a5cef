import { QueryClient, QueryClientProvider } from "@tanstack/react-query";
import { render, screen } from "@testing-library/react";
import { MemoryRouter, Route, Routes } from "react-router-dom";
import { describe, expect, it, vi } from "vitest";
import { ApiError } from "../api/client";

// the job is unknown; every other hook idle, so no request leaves the test
vi.mock("../api/hooks", async (importOriginal) => {
  const original = await importOriginal<typeof import("../api/hooks")>();
  const pending = () => ({ isPending: true, isError: false, data: undefined, error: null, refetch: () => {}, mutate: () => {} });
  return {
    ...original,
    useJob: () => ({ isPending: false, isError: true, data: undefined, error: new ApiError(404, "no job nope"), refetch: () => {} }),
    useJobStatus: pending,
    useTrials: pending,
    useBestModel: pending,
    useImportances: pending,
    useSearchSpace: pending,
    useDefaultWeights: pending,
    useCancel: pending,
    useResume: pending,
    useDeleteJob: pending,
  };
});
vi.mock("../api/events", () => ({ useJobEvents: () => ({ connection: "ended", trials: {}, events: [] }) }));

import { JobDashboardPage } from "./JobDashboardPage";

describe("JobDashboardPage", () => {
  it("links an unknown job back to the jobs list", () => {
    render(
      <QueryClientProvider client={new QueryClient()}>
        <MemoryRouter initialEntries={["/jobs/nope"]}>
          <Routes>
            <Route path="/jobs/:jobId" element={<JobDashboardPage />} />
          </Routes>
        </MemoryRouter>
      </QueryClientProvider>,
    );
    expect(screen.getByText("No such job")).toBeInTheDocument();
    expect(screen.getByRole("link", { name: /All jobs/ })).toHaveAttribute("href", "/jobs");
  });
});
