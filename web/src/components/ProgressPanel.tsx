import type { JobStatus } from "../api/client";
import { duration } from "../lib/format";

/**
 * Trials done/pruned/failed/running against the target, and the ETA. `trials` is the job's own trial count, shown
 * while the progress does not know the target yet (a run that is still starting).
 */
export function ProgressPanel({ status, trials }: { status: JobStatus; trials?: number | undefined }) {
  const p = status.progress;
  const targetTrials = p.target_trials ?? trials ?? null;
  const target = Math.max(targetTrials ?? 0, p.finished, 1);
  const share = (n: number) => `${(100 * n) / target}%`;
  const percent = Math.round((100 * p.finished) / target);
  return (
    <div>
      <div className="row" style={{ justifyContent: "space-between" }}>
        <strong>
          {targetTrials != null ? `${p.finished} of ${targetTrials} ${targetTrials === 1 ? "trial" : "trials"} finished` : `${p.finished} finished`}
        </strong>
        <span className="muted small">
          {status.status === "running" && p.eta_seconds != null ? `about ${duration(p.eta_seconds)} left` : ""}
        </span>
      </div>
      <div
        className="progress"
        role="progressbar"
        aria-label="Trials finished"
        aria-valuemin={0}
        aria-valuemax={targetTrials ?? undefined}
        aria-valuenow={p.finished}
        aria-valuetext={`${percent}%: ${p.complete} complete, ${p.pruned} pruned, ${p.failed} failed`}
        style={{ margin: "0.4rem 0" }}
      >
        <span className="done" style={{ width: share(p.complete) }} />
        <span className="pruned" style={{ width: share(p.pruned) }} />
        <span className="failed" style={{ width: share(p.failed) }} />
      </div>
      <div className="row small" data-testid="counts">
        <span className="badge complete">{p.complete} complete</span>
        <span className="badge pruned" title="stopped early by the pruner or by health pruning">{p.pruned} pruned</span>
        <span className="badge failed">{p.failed} failed</span>
        <span className="badge running">{p.running} running</span>
        {p.rejected > 0 && <span className="badge" title="networks over max_model_mflops, skipped before training">{p.rejected} rejected</span>}
        {(p.cut_short ?? 0) > 0 && (
          <span className="badge" title="stopped by a cancel or a crash before they finished: not counted as finished; a resume trains them again">
            {p.cut_short} cut short
          </span>
        )}
        {p.mean_trial_seconds != null && <span className="muted">{duration(p.mean_trial_seconds)} per trial</span>}
      </div>
    </div>
  );
}
