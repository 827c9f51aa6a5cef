import { useCallback, useMemo, useState } from "react";
import { Link, useNavigate, useParams } from "react-router-dom";
import { useQueryClient } from "@tanstack/react-query";
import { ApiError } from "../api/client";
import { useJobEvents, type RunEvent } from "../api/events";
import {
  keys,
  useBestModel,
  useCancel,
  useHealthBought,
  useDeleteJob,
  useJob,
  useJobStatus,
  useImportances,
  useResume,
  useSearchSpace,
  useTrials,
} from "../api/hooks";
import { AccuracyHealthChart } from "../components/charts/AccuracyHealthChart";
import { HistoryChart } from "../components/charts/HistoryChart";
import { ImportanceChart } from "../components/charts/ImportanceChart";
import { ParallelCoordinates } from "../components/charts/ParallelCoordinates";
import { Baselines } from "../components/Baselines";
import { ConfirmDeleteButton } from "../components/ConfirmDeleteButton";
import { Downloads } from "../components/Downloads";
import { ErrorState } from "../components/ErrorState";
import { HealthBoughtSection } from "../components/HealthBought";
import { InfoTip } from "../components/InfoTip";
import { ProgressPanel } from "../components/ProgressPanel";
import { RescorePanel } from "../components/RescorePanel";
import { RunningTrials } from "../components/RunningTrials";
import { CardSkeleton, Skeleton } from "../components/Skeleton";
import { ReadOnlyBadge, StatusBadge } from "../components/StatusBadge";
import { Tabs } from "../components/Tabs";
import { TensorBoardLink } from "../components/TensorBoardLink";
import { TrialGallery } from "../components/TrialGallery";
import { TryModel } from "../components/TryModel";
import { datasetLabel, duration, num, pct } from "../lib/format";
import { trialPoint } from "../lib/trials";
import { useScoringDefaults } from "../lib/useScoringDefaults";
import type { WeightsLike } from "../lib/weights";
import { bestOf, jobWeights } from "../lib/jobWeights";
import { jobTiming } from "../lib/jobTiming";
import { MODE_TITLES } from "../lib/choices";

export function JobDashboardPage() {
  const { jobId = "" } = useParams();
  const navigate = useNavigate();
  const client = useQueryClient();
  const job = useJob(jobId);
  const status = useJobStatus(jobId);
  const scoring = useScoringDefaults();
  const terminal = job.data?.terminal ?? false;
  const trials = useTrials(jobId, !terminal);
  const modelFile = job.data?.result?.best_model_file;
  // the job's result names the model file once it is saved: only then ask for it (no 404s while it trains)
  const best = useBestModel(jobId, typeof modelFile === "string" && modelFile !== "");
  const bought = useHealthBought(jobId, terminal && typeof modelFile === "string" && modelFile !== "");
  const [chart, setChart] = useState("history");
  const [rescored, setRescored] = useState<WeightsLike | null>(null);
  const space = useSearchSpace();
  // what each hyperparameter means, for the charts' and the trial cards' tooltips
  const paramDescriptions = useMemo(() => Object.fromEntries((space.data ?? []).map((p) => [p.name, p.description])), [space.data]);
  const cancel = useCancel();
  const resume = useResume();
  const remove = useDeleteJob();

  const onEvent = useCallback(
    (event: RunEvent) => {
      if (event.type.startsWith("trial_") && event.type !== "trial_started") {
        void client.invalidateQueries({ queryKey: keys.trials(jobId) });
        void client.invalidateQueries({ queryKey: keys.status(jobId) });
      }
      if (event.type.startsWith("run_")) {
        void client.invalidateQueries({ queryKey: keys.job(jobId) });
      }
    },
    [client, jobId],
  );
  const live = useJobEvents(jobId, {
    onEvent,
    ended: terminal,
    restartKey: `${job.data?.attempts ?? 0}-${terminal ? "ended" : "active"}`,
  });

  const weights = useMemo(
    () => rescored ?? jobWeights(job.data, scoring.weights),
    [rescored, job.data, scoring.weights],
  );
  const points = useMemo(
    () => (trials.data ?? []).map((t) => trialPoint(t, weights.health_component_proportions)),
    [trials.data, weights],
  );
  const reasons = useMemo(() => {
    const out: Record<number, string> = {};
    for (const t of trials.data ?? []) {
      const reason = t.prune_reason ?? t.failure_reason ?? t.error;
      if (reason) out[t.number] = String(reason);
    }
    return out;
  }, [trials.data]);
  // computed by the server from the study as it is now: refreshed as trials finish and after a rescore
  const importances = useImportances(
    jobId,
    `${status.data?.progress.complete ?? 0}-${JSON.stringify(job.data?.weights ?? {})}`,
    Boolean(job.data),
  );

  if (job.isPending) {
    return (
      <div className="grid">
        <CardSkeleton lines={2} />
        <CardSkeleton lines={5} />
      </div>
    );
  }
  if (job.isError) {
    const notFound = job.error instanceof ApiError && job.error.status === 404;
    return (
      <ErrorState
        error={job.error}
        retry={notFound ? undefined : () => void job.refetch()}
        title={notFound ? "No such job" : "Could not load the job"}
        links={[{ to: "/jobs", label: "← All jobs" }]}
      />
    );
  }
  const j = job.data;
  const progress = status.data?.progress;
  // once the run has ended its result names the best trial (a re-score changes it, not the progress counters)
  const top = bestOf(j, progress, terminal);
  const bestNumber = top.trial;
  const bestPoint = points.find((p) => p.number === bestNumber);
  const running = j.status === "running" || j.status === "queued";
  const external = j.origin === "external";
  const epochs = status.data?.epochs_per_trial ?? (j.request?.max_epochs_per_trial ?? 0);
  const downloadReason = best.data
    ? null
    : j.status === "failed"
      ? "This job failed before an optimized model was saved."
      : modelFile && best.isPending
        ? "Checking for the optimized model…"
        : running
          ? "The optimized model is saved when the run ends; the buttons turn on by themselves."
          : "This run has no optimized model (no trial finished).";
  const importantParams = Object.entries(importances.data?.importances ?? {})
    .sort((a, b) => b[1] - a[1])
    .map(([k]) => k);
  // most important first; the chart keeps the first six that varied between the finished trials
  const chartParams = importantParams.length ? importantParams : [...new Set(points.flatMap((p) => Object.keys(p.params)))];
  const mode = j.mode ?? "unknown";
  // finished training (state complete): the trials a re-score can rank; unknown until the trials or the status load
  const completedTrials = trials.data ? points.filter((p) => p.state === "complete").length : progress?.complete;

  return (
    <div>
      <div className="page-head">
        <div>
          <p className="small muted" style={{ margin: 0 }}>
            <Link to="/jobs">Jobs</Link> /
          </p>
          <h1 className="row">
            {j.run_name} <StatusBadge status={j.status} />
            {external && <ReadOnlyBadge />}
          </h1>
          <p className="sub">
            <span title={j.dataset}>{datasetLabel(j.dataset)}</span> · {MODE_TITLES[mode] ?? mode} mode · {j.trials} {j.trials === 1 ? "trial" : "trials"} · {jobTiming(j)}
          </p>
        </div>
        <div className="row">
          <span className="row small muted" title="live event stream">
            <span className={`live-dot ${live.connection}`} aria-hidden="true" />
            {live.connection === "open" ? "live" : live.connection === "ended" ? "stream ended" : live.connection === "closed" ? "reconnecting…" : "connecting…"}
          </span>
          {running && !external && (
            <button type="button" className="danger" onClick={() => cancel.mutate(j.id)} disabled={cancel.isPending || j.cancel_requested} data-testid="cancel">
              {j.cancel_requested ? "Cancelling…" : "Cancel"}
            </button>
          )}
          {j.can_resume && (
            <button type="button" onClick={() => resume.mutate(j.id)} disabled={resume.isPending} data-testid="resume">
              Resume
            </button>
          )}
          {!running && !external && (
            // replace: the deleted job's page is gone, Back should not lead to its 404
            <ConfirmDeleteButton pending={remove.isPending} onDelete={() => remove.mutate(j.id, { onSuccess: () => navigate("/jobs", { replace: true }) })} />
          )}
        </div>
      </div>
      {[cancel.error, resume.error, remove.error].filter(Boolean).map((e, i) => (
        <div key={i} className="notice error" role="alert">
          {String((e as Error).message)}
        </div>
      ))}
      {j.error && (
        <div className="notice error" role="alert">
          <strong>{j.status === "interrupted" ? "Interrupted" : "Failed"}:</strong> {j.error}
          {j.can_resume && " Resume continues the same study; finished trials are kept."}
        </div>
      )}

      <section className="card section" aria-labelledby="progress-title">
        <h2 id="progress-title" className="visually-hidden">
          Progress
        </h2>
        {status.data ? <ProgressPanel status={status.data} trials={j.trials} /> : status.isError ? <ErrorState error={status.error} retry={() => void status.refetch()} /> : <Skeleton height={40} />}
        {j.status !== "queued" && (
          <div style={{ marginTop: "0.6rem" }}>
            <TensorBoardLink jobId={j.id} />
          </div>
        )}
      </section>

      {running && (
        <section className="section" aria-labelledby="running-title">
          <h2 id="running-title">Training now</h2>
          <RunningTrials running={progress?.running_trials ?? []} live={live.trials} epochs={epochs} jobStatus={j.status} finished={progress ? progress.finished + progress.rejected + progress.cut_short : undefined} />
        </section>
      )}

      <section className="stats section" aria-label="Summary">
        <Stat label="Best score" value={num(top.score, 4)} help={`The objective of the best trial: accuracy in simple mode, the weighted accuracy + health score otherwise. With health in the score, the best trial is the highest score among the trials whose validation accuracy is ${scoring.nearTieStandardErrors == null ? "within validation noise" : `within ${scoring.nearTieStandardErrors} standard error${scoring.nearTieStandardErrors === 1 ? "" : "s"}`} of the most accurate one${scoring.nearTieLossTolerance == null ? "" : ` and whose validation loss is within ${Math.round(scoring.nearTieLossTolerance * 100)}% of the lowest of them`}: health breaks near-ties, it does not buy accuracy.`} testId="best-score" />
        <Stat label="Best accuracy" value={pct(bestPoint?.accuracy ?? progress?.best_val_accuracy)} help="Validation accuracy of the best trial (the test split is only reported, never used to select)." />
        <Stat label="Best health" value={num(bestPoint?.health, 3)} help="Weighted health of the best trial, from 0 (unhealthy) to 1: the eight metrics times their shares." />
        <Stat label="Parameters (best)" value={bestPoint?.paramCount != null ? bestPoint.paramCount.toLocaleString() : "–"} help="Weights in the best network; fewer for the same accuracy is better (parameter efficiency)." />
        <Stat label="Time per trial" value={duration(progress?.mean_trial_seconds)} help="Mean wall time of a finished trial, training and evaluation included." />
        <Stat label="Best trial" value={bestNumber != null ? `#${bestNumber}` : "–"} help="Open it for its plots, health breakdown and architecture." link={bestNumber != null ? `/jobs/${j.id}/trials/${bestNumber}` : undefined} />
      </section>

      <section className="card section" aria-labelledby="downloads-title">
        <h2 id="downloads-title">Optimized model</h2>
        <Downloads jobId={j.id} runName={j.run_name} modelFile={best.data?.model_file ?? null} reason={downloadReason} />
      </section>

      <HealthBoughtSection data={bought.data} />

      {best.data && (
        <section className="card section" aria-labelledby="try-title">
          <h2 id="try-title">Try the model</h2>
          <TryModel key={`${best.data.model_file ?? ""}:${String(best.data.summary.best_trial)}`} jobId={j.id} />
        </section>
      )}

      <section className="card section" aria-labelledby="charts-title">
        <h2 id="charts-title">Charts</h2>
        <Tabs
          label="Charts"
          selected={chart}
          onSelect={setChart}
          items={[
            { id: "history", label: "Optimization history", content: () => <HistoryChart points={points} objective={mode === "simple" ? "accuracy" : "score"} /> },
            { id: "scatter", label: "Accuracy vs health", content: () => <AccuracyHealthChart points={points} highlightFront={mode === "pareto"} best={bestNumber} /> },
            { id: "importances", label: "Parameter importances", content: () => (importances.isError ? <ErrorState error={importances.error} retry={() => void importances.refetch()} /> : <ImportanceChart importances={importances.data?.importances} empty={importances.data?.reason} target={importances.data?.target} descriptions={paramDescriptions} />) },
            { id: "parallel", label: "Parallel coordinates", content: () => <ParallelCoordinates points={points} params={chartParams} descriptions={paramDescriptions} /> },
          ]}
        />
      </section>

      <section className="section" aria-labelledby="trials-title">
        <h2 id="trials-title">Trials</h2>
        {trials.isPending && <Skeleton height={120} count={2} />}
        {trials.isError && <ErrorState error={trials.error} retry={() => void trials.refetch()} title="Could not load the trials" />}
        <Baselines baselines={progress?.baselines ?? []} verdict={progress?.baseline_verdict} />
        {trials.data && <TrialGallery jobId={j.id} runName={j.run_name} points={points} best={bestNumber} reasons={reasons} descriptions={paramDescriptions} baselines={progress?.baselines ?? []} />}
      </section>

      {j.can_rescore && (
        <section className="card section" aria-labelledby="rescore-title">
          <h2 id="rescore-title">
            Re-score with other weights{" "}
            <InfoTip label="re-scoring">The raw health metrics of every trial are stored, so new weights re-rank trials without training again.</InfoTip>
          </h2>
          <RescorePanel
            jobId={j.id}
            initial={weights}
            defaults={scoring.weights}
            descriptions={scoring.descriptions}
            completed={completedTrials}
            onRescored={(w) => {
              setRescored(w);
              void client.invalidateQueries({ queryKey: keys.job(j.id) });
            }}
          />
        </section>
      )}
    </div>
  );
}

function Stat({ label, value, help, testId, link }: { label: string; value: string; help: string; testId?: string; link?: string | undefined }) {
  return (
    <div className="stat" data-testid={testId}>
      <div className="stat-label">
        {label} <InfoTip label={label}>{help}</InfoTip>
      </div>
      <div className="stat-value">{link ? <Link to={link}>{value}</Link> : value}</div>
    </div>
  );
}
