import { useState } from "react";
import { Link, useNavigate } from "react-router-dom";
import { useJobs } from "../api/hooks";
import type { components } from "../api/schema";
import { ErrorState } from "../components/ErrorState";
import { Skeleton } from "../components/Skeleton";
import { ReadOnlyBadge, StatusBadge } from "../components/StatusBadge";
import { datasetLabel, dateTime, num } from "../lib/format";

/** Every job status of the server's schema ("" = all); the compiler rejects one the server lacks. */
const STATUSES: ("" | components["schemas"]["JobStatus"])[] = ["", "queued", "running", "completed", "failed", "cancelled", "interrupted"];
const PAGE = 20;

export function JobsPage() {
  const [offset, setOffset] = useState(0);
  const [status, setStatus] = useState("");
  const jobs = useJobs(offset, PAGE, status);
  const navigate = useNavigate();
  return (
    <div>
      <div className="page-head">
        <div>
          <h1>Jobs</h1>
          <p className="sub">Every optimization this server has run, newest first.</p>
        </div>
        <div className="row">
          <label htmlFor="status-filter" className="small">
            Status
          </label>
          <select id="status-filter" value={status} onChange={(e) => { setStatus(e.target.value); setOffset(0); }} style={{ width: "auto" }}>
            {STATUSES.map((s) => (
              <option key={s} value={s}>
                {s || "all"}
              </option>
            ))}
          </select>
          <Link to="/new" className="button primary">
            New optimization
          </Link>
        </div>
      </div>
      {jobs.isPending && (
        <div className="card" role="status" aria-label="Loading jobs">
          <Skeleton height={28} count={5} />
        </div>
      )}
      {jobs.isError && <ErrorState error={jobs.error} retry={() => void jobs.refetch()} title="Could not load the jobs" />}
      {jobs.data && jobs.data.items.length === 0 && (
        <div className="card">
          <h2>No jobs {status ? `with status ${status}` : "yet"}</h2>
          <p>
            <Link to="/new">Start an optimization</Link>: a small digits run takes a few minutes on a laptop.
          </p>
        </div>
      )}
      {jobs.data && jobs.data.items.length > 0 && (
        <div className="card table-wrap">
          <table>
            <caption className="visually-hidden">Jobs</caption>
            <thead>
              <tr>
                <th scope="col">Run</th>
                <th scope="col">Status</th>
                <th scope="col">Dataset</th>
                <th scope="col">Mode</th>
                <th scope="col">Trials</th>
                <th scope="col">Best score</th>
                <th scope="col">Created</th>
              </tr>
            </thead>
            <tbody>
              {jobs.data.items.map((job) => {
                return (
                  <tr key={job.id} className="clickable" onClick={() => navigate(`/jobs/${job.id}`)}>
                    <td>
                      <Link to={`/jobs/${job.id}`} onClick={(e) => e.stopPropagation()}>
                        {job.run_name}
                      </Link>
                    </td>
                    <td>
                      <StatusBadge status={job.status} /> {job.origin === "external" && <ReadOnlyBadge />}
                    </td>
                    <td title={job.dataset}>{datasetLabel(job.dataset)}</td>
                    <td>{job.mode}</td>
                    <td>{job.trials}</td>
                    <td>{num(job.result?.best_score, 4)}</td>
                    <td className="small">{dateTime(job.created_at)}</td>
                  </tr>
                );
              })}
            </tbody>
          </table>
          <div className="row" style={{ justifyContent: "space-between", marginTop: "0.75rem" }}>
            <span className="muted small">
              {offset + 1}–{offset + jobs.data.items.length} of {jobs.data.total}
            </span>
            <div className="row">
              <button type="button" disabled={offset === 0} onClick={() => setOffset(Math.max(0, offset - PAGE))}>
                Newer
              </button>
              <button type="button" disabled={offset + PAGE >= jobs.data.total} onClick={() => setOffset(offset + PAGE)}>
                Older
              </button>
            </div>
          </div>
        </div>
      )}
    </div>
  );
}
