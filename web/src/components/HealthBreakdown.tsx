import type { Schemas } from "../api/client";
import { human, num, pct } from "../lib/format";
import type { WeightsLike } from "../lib/weights";
import { gatedHealth } from "../lib/healthGate";
import { InfoTip } from "./InfoTip";
import { scoreColor } from "./StatusBadge";

interface Props {
  health: Schemas["HealthReportOut"] | null | undefined;
  accuracy: number | null;
  weights: WeightsLike;
  mode: string;
  descriptions: Record<string, string>;
}

/** The eight metrics with their weighted contribution to the score, and the findings with their fixes. */
export function HealthBreakdown({ health, accuracy, weights, mode, descriptions }: Props) {
  if (!health) return <p className="muted">No health report for this trial (it was pruned or failed before the probes ran, or probes were off).</p>;
  const metrics = health.metrics;
  const findings = health.findings ?? [];
  const scoring = mode !== "simple";
  const healthWeight = scoring ? weights.health_overall_weight : 0;
  const names = Object.keys(weights.health_component_proportions).filter((n) => n in metrics);
  const rows = names.map((name) => {
    const value = metrics[name];
    const weight = healthWeight * (weights.health_component_proportions[name] ?? 0);
    const contribution = value == null ? 0 : weight * value;
    return { name, value, weight, contribution };
  });
  // the learning gate and the critical cap turn the weighted metrics into health (docs/health.md)
  const gate = health.gate ?? null;
  const weighted = names.reduce((sum, n) => sum + (weights.health_component_proportions[n] ?? 0) * (metrics[n] ?? 0), 0);
  const gated = gatedHealth(weighted, gate) ?? weighted;
  const total = scoring ? weights.accuracy_weight * (accuracy ?? 0) + healthWeight * gated : accuracy ?? 0;
  const order: Record<string, number> = { critical: 0, warning: 1, info: 2 };
  return (
    <div className="grid grid-2">
      <div>
        <h3>Eight health metrics</h3>
        <p className="muted small">
          Each metric is in [0, 1], 1 = healthy. Its weight is its share of the health weight; weight × value is what it adds
          to the score.
        </p>
        <div role="table" aria-label="Health metrics">
          <div role="row" className="metric-row small muted">
            <span role="columnheader">metric</span>
            <span role="columnheader" className="metric-bar-head" aria-hidden="true" />
            <span role="columnheader">value</span>
            <span role="columnheader">adds</span>
          </div>
          {rows.map((r) => (
            <div role="row" className="metric-row" key={r.name} data-testid={`metric-${r.name}`}>
              <span role="cell" className="row" style={{ gap: 4, flexWrap: "nowrap" }}>
                {human(r.name)} <InfoTip label={human(r.name)}>{descriptions[r.name] ?? ""}</InfoTip>
              </span>
              <span role="cell" className="metric-bar" aria-hidden="true">
                <span style={{ width: `${(r.value ?? 0) * 100}%`, background: scoreColor(r.value) }} />
              </span>
              <span role="cell" className="mono">{num(r.value, 2)}</span>
              <span role="cell" className="mono small" title={`weight ${pct(r.weight)} × ${num(r.value, 3)}`}>
                {scoring ? `+${(r.contribution * 100).toFixed(1)}` : "–"}
              </span>
            </div>
          ))}
        </div>
        <p className="small">
          {scoring ? (
            <>
              Score = {pct(weights.accuracy_weight, 0)} × accuracy {pct(accuracy)} + health part ={" "}
              <strong>{num(total, 4)}</strong>. Health {num(gated, 3)}
              {gate && gated < weighted - 1e-9
                ? ` (weighted metrics ${num(weighted, 3)} × learning factor ${num(gate.learning_factor, 2)}, capped at ${num(gate.cap, 2)} while a critical finding stands)`
                : ""}
              .
            </>
          ) : (
            <>Simple mode: the score is the accuracy alone ({pct(accuracy)}); health is shown to learn from, not to rank.</>
          )}
        </p>
      </div>
      <div>
        <h3>Findings ({findings.length})</h3>
        {findings.length === 0 && <p className="muted">Nothing to report: no dormant layers, vanishing or exploding gradients, or instability found.</p>}
        {[...findings]
          .sort((a, b) => (order[a.severity] ?? 3) - (order[b.severity] ?? 3))
          .map((f, i) => (
            <div key={i} className={`finding ${f.severity}`}>
              <div className="row">
                <span className={`badge ${f.severity}`}>{f.severity}</span>
                <strong>{f.layer ? `${f.layer}: ` : ""}{f.title}</strong>
              </div>
              <p className="small" style={{ margin: "0.3rem 0" }}>{f.explanation}</p>
              <p className="small" style={{ margin: 0 }}>
                <strong>Try:</strong> {f.suggestion}
              </p>
              <span className="muted small">{human(f.metric)}</span>
            </div>
          ))}
      </div>
    </div>
  );
}
