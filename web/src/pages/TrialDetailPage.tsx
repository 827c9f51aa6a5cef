import { lazy, Suspense, useMemo, useState } from "react";
import { Link, useParams } from "react-router-dom";
import { ApiError } from "../api/client";
import { useArchitecture, useJob, usePlotData, useSearchSpace, useTrial } from "../api/hooks";
import { ConfusionMatrixPlot, type ConfusionData } from "../components/charts/ConfusionMatrixPlot";
import { TrainingHistoryPlot, type TrainingHistoryData } from "../components/charts/TrainingHistoryPlot";
import { ErrorState } from "../components/ErrorState";
import { HealthBreakdown } from "../components/HealthBreakdown";
import { PerClassTable } from "../components/PerClassTable";
import { InfoTip } from "../components/InfoTip";
import { PlotGallery } from "../components/PlotGallery";
import { CardSkeleton, Skeleton } from "../components/Skeleton";
import { HealthBadge, StatusBadge } from "../components/StatusBadge";
import { Tabs } from "../components/Tabs";
import type { ArchitectureJson } from "../lib/architecture";
import { duration, human, num, paramValue, pct, weightedHealth } from "../lib/format";
import { useScoringDefaults } from "../lib/useScoringDefaults";
import type { WeightsLike } from "../lib/weights";
import { jobWeights } from "../lib/jobWeights";
import { gatedHealth, healthGate } from "../lib/healthGate";

const ArchitectureGraph = lazy(() => import("../components/ArchitectureGraph"));
const Network3D = lazy(() => import("../components/Network3D"));

export default function TrialDetailPage() {
  const { jobId = "", number: numberText = "" } = useParams();
  const number = Number(numberText);
  const job = useJob(jobId);
  const trial = useTrial(jobId, number);
  const scoring = useScoringDefaults();
  const space = useSearchSpace();
  const [vizTab, setVizTab] = useState("graph");
  const [plotTab, setPlotTab] = useState("history");
  const plots = trial.data?.plots ?? [];
  const history = usePlotData<TrainingHistoryData>(jobId, number, "training_history", plots.includes("training_history"));
  const confusion = usePlotData<ConfusionData>(jobId, number, "confusion_matrix", plots.includes("confusion_matrix"));
  const architecture = useArchitecture<ArchitectureJson>(jobId, number, Boolean(trial.data?.has_architecture));

  // the weights in force: a re-score changes them, and the trial's score with them
  const weights: WeightsLike = useMemo(() => jobWeights(job.data, scoring.weights), [job.data, scoring.weights]);

  // away from an error: the job's dashboard (unless the job is unknown too) and the jobs list
  const jobMissing = job.error instanceof ApiError && job.error.status === 404;
  const away = [
    ...(jobMissing ? [] : [{ to: `/jobs/${jobId}`, label: `← ${job.data?.run_name ?? "The job"}'s dashboard` }]),
    { to: "/jobs", label: "All jobs" },
  ];
  if (!Number.isInteger(number) || number < 0) return <ErrorState error={new Error(`"${numberText}" is not a trial number`)} title="No such trial" links={away} />;
  if (trial.isPending) {
    return (
      <div className="grid">
        <CardSkeleton lines={3} />
        <CardSkeleton lines={8} />
      </div>
    );
  }
  if (trial.isError) {
    const notFound = trial.error instanceof ApiError && trial.error.status === 404;
    return <ErrorState error={trial.error} retry={notFound ? undefined : () => void trial.refetch()} title={notFound ? "No such trial" : "Could not load the trial"} links={away} />;
  }
  const t = trial.data;
  const metrics = t.metrics as Record<string, unknown>;
  const accuracy = typeof metrics.val_accuracy === "number" ? metrics.val_accuracy : null;
  const gate = healthGate(metrics.health_gate);
  const health = gatedHealth(weightedHealth(metrics.health as Record<string, number> | undefined, weights.health_component_proportions), gate);
  const descriptions = Object.fromEntries((space.data ?? []).map((p) => [p.name, p.description]));
  const best = job.data?.result?.best_trial === t.number;
  const runName = job.data?.run_name ?? jobId;
  const reason = t.prune_reason ?? t.failure_reason ?? t.error;

  return (
    <div>
      <div className="page-head">
        <div>
          <p className="small muted" style={{ margin: 0 }}>
            <Link to="/jobs">Jobs</Link> / <Link to={`/jobs/${jobId}`}>{runName}</Link> /
          </p>
          <h1 className="row">
            Trial {t.number} <StatusBadge status={t.state} /> {best && <span className="badge ok">★ best</span>}
          </h1>
          <p className="sub">
            accuracy {pct(accuracy)} · score {num(t.score, 4)} · {typeof metrics.params === "number" ? `${metrics.params.toLocaleString()} parameters` : ""}
            {typeof metrics.total_seconds === "number" ? ` · ${duration(metrics.total_seconds)}` : ""}
          </p>
          {reason && <p className="small">{t.prune_reason ? "Pruned" : "Failed"}: {String(reason)}</p>}
        </div>
        <HealthBadge value={health} worst={gate?.worst_severity} />
      </div>

      <section className="card section" aria-labelledby="params-title">
        <h2 id="params-title">Hyperparameters</h2>
        <div className="form-grid param-grid">
          {Object.entries(t.params).map(([name, value]) => (
            <div key={name} className="stat">
              <div className="stat-label">
                {human(name)} <InfoTip label={human(name)}>{descriptions[name] ?? ""}</InfoTip>
              </div>
              <div className="mono">{paramValue(value)}</div>
            </div>
          ))}
        </div>
      </section>

      <section className="card section" aria-labelledby="health-title">
        <h2 id="health-title">
          Health breakdown{" "}
          <InfoTip label="health">
            A network can reach good accuracy while parts of it do nothing or learn unstably. These eight metrics show where;
            the findings say why it matters and what to try.
          </InfoTip>
        </h2>
        <HealthBreakdown health={t.health} accuracy={accuracy} weights={weights} mode={job.data?.mode ?? "health"} descriptions={scoring.descriptions} />
      </section>

      <PerClassTable metrics={metrics} />

      {(plots.includes("training_history") || plots.includes("confusion_matrix")) && (
        <section className="card section" aria-labelledby="interactive-title">
          <h2 id="interactive-title">Interactive plots</h2>
          <Tabs
            label="Interactive plots"
            selected={plotTab}
            onSelect={setPlotTab}
            items={[
              ...(plots.includes("training_history")
                ? [{ id: "history", label: "Training history", content: () => (history.data ? <TrainingHistoryPlot data={history.data} /> : history.isError ? <ErrorState error={history.error} retry={() => void history.refetch()} /> : <Skeleton height={240} />) }]
                : []),
              ...(plots.includes("confusion_matrix")
                ? [{ id: "confusion", label: "Confusion matrix", content: () => (confusion.data ? <ConfusionMatrixPlot data={confusion.data} /> : confusion.isError ? <ErrorState error={confusion.error} retry={() => void confusion.refetch()} /> : <Skeleton height={240} />) }]
                : []),
            ]}
          />
        </section>
      )}

      <section className="card section" aria-labelledby="plots-title">
        <h2 id="plots-title">All plots</h2>
        <PlotGallery jobId={jobId} trial={t.number} plots={plots} />
      </section>

      <section className="card section" aria-labelledby="arch-title">
        <h2 id="arch-title">Architecture</h2>
        {!t.has_architecture && <p className="muted">This trial has no architecture.json (it did not get as far as building its model).</p>}
        {t.has_architecture && architecture.isPending && <Skeleton height={300} />}
        {architecture.isError && <ErrorState error={architecture.error} retry={() => void architecture.refetch()} />}
        {architecture.data && (
          <Tabs
            label="Architecture views"
            selected={vizTab}
            onSelect={setVizTab}
            items={[
              {
                id: "graph",
                label: "Graph",
                content: () => (
                  <Suspense fallback={<Skeleton height={400} />}>
                    <ArchitectureGraph data={architecture.data} name={`${runName}_trial${t.number}`} />
                  </Suspense>
                ),
              },
              {
                id: "3d",
                label: "3D view",
                content: () => (
                  <Suspense fallback={<Skeleton height={400} />}>
                    <Network3D data={architecture.data} />
                  </Suspense>
                ),
              },
            ]}
          />
        )}
      </section>
    </div>
  );
}
