import type { LiveTrial } from "../api/events";
import type { RunningTrial } from "../api/client";
import { num } from "../lib/format";

const SHOWN = ["loss", "accuracy", "val_loss", "val_accuracy"];

/**
 * Each running trial side by side: its epoch progress and the last epoch's metrics, live.
 * `jobStatus` and `finished` (trials that ended so far) tell a run that has not started its first trial
 * yet (data loading, model set-up) from one that is between trials; while `finished` is unknown, neither is said.
 */
export function RunningTrials({ running, live, epochs, jobStatus, finished }: {
  running: RunningTrial[];
  live: Record<number, LiveTrial>;
  epochs: number;
  jobStatus?: string | undefined;
  finished?: number | undefined;
}) {
  const fromEvents = Object.values(live).filter((t) => t.state === "running");
  const numbers = [...new Set([...running.map((r) => r.trial), ...fromEvents.map((t) => t.trial)])].sort((a, b) => a - b);
  if (!numbers.length) {
    const nothingYet = finished === 0 && Object.keys(live).length === 0;
    if (nothingYet && jobStatus === "queued") return <p className="muted" role="status">Queued: the first trial starts as soon as the run begins…</p>;
    if (nothingYet && jobStatus === "running") return <p className="muted" role="status">Starting… loading the data and building the first trial's model.</p>;
    return <p className="muted">No trial is training right now.</p>;
  }
  return (
    <div className="grid grid-3" aria-live="polite">
      {numbers.map((n) => {
        const polled = running.find((r) => r.trial === n);
        const events = live[n];
        const last = events?.epochs.at(-1);
        const epoch = Math.max(last?.epoch ?? 0, polled?.epoch ?? 0);
        const metrics = (last && last.epoch >= (polled?.epoch ?? 0) ? last.metrics : polled?.metrics) ?? {};
        return (
          <div key={n} className="card" data-testid={`running-${n}`}>
            <div className="row" style={{ justifyContent: "space-between" }}>
              <strong>Trial {n}</strong>
              <span className="small muted">
                epoch {epoch} / {epochs}
              </span>
            </div>
            <div
              className="progress thin"
              role="progressbar"
              aria-label={`Trial ${n} epochs`}
              aria-valuemin={0}
              aria-valuemax={epochs}
              aria-valuenow={epoch}
              style={{ margin: "0.4rem 0" }}
            >
              <span className="done" style={{ width: `${(100 * epoch) / Math.max(1, epochs)}%` }} />
            </div>
            <dl className="kv">
              {SHOWN.map((key) => (
                <div key={key} style={{ display: "contents" }}>
                  <dt>{key.replace("_", " ")}</dt>
                  <dd>{num(metrics[key] as number | undefined, 4)}</dd>
                </div>
              ))}
            </dl>
            {events && events.epochs.length > 1 && <Sparkline values={events.epochs.map((e) => e.metrics.val_accuracy ?? null)} />}
          </div>
        );
      })}
    </div>
  );
}

function Sparkline({ values }: { values: (number | null)[] }) {
  const pts = values
    .map((v, i) => (v == null ? null : `${(i / Math.max(1, values.length - 1)) * 100},${30 - v * 28}`))
    .filter(Boolean)
    .join(" ");
  return (
    <svg viewBox="0 0 100 32" width="100%" height="32" role="img" aria-label="validation accuracy per epoch" preserveAspectRatio="none">
      <polyline points={pts} fill="none" stroke="var(--chart-1)" strokeWidth={2} vectorEffect="non-scaling-stroke" />
    </svg>
  );
}
