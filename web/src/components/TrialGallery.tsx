import { useMemo, useState } from "react";
import { Link } from "react-router-dom";
import type { TrialPoint } from "../lib/trials";
import { human, num, paramValue, pct } from "../lib/format";
import { DownloadButton } from "./Downloads";
import { belowLinear } from "./Baselines";
import { HealthBadge, StatusBadge } from "./StatusBadge";
import type { Schemas } from "../api/client";

const KEY_PARAMS = ["conv_blocks", "filters", "text_encoder", "lstm_units", "embedding_dim", "activation", "optimizer", "learning_rate", "dense_layers", "batch_norm"];
type SortKey = "number" | "score" | "accuracy" | "health";

/** A card per trial: key hyperparameters (their meaning on hover), accuracy, health badge and status; sort and filter. */
export function TrialGallery({ jobId, runName, points, best, reasons, descriptions = {}, baselines = [] }: {
  jobId: string;
  runName: string;
  points: TrialPoint[];
  best: number | null | undefined;
  reasons: Record<number, string>;
  /** name → what the hyperparameter means (GET /api/search-space): the names' tooltips */
  descriptions?: Record<string, string>;
  /** the run's reference models: cards below the linear one say so */
  baselines?: Schemas["BaselineOut"][];
}) {
  const [sort, setSort] = useState<SortKey>("number");
  const [state, setState] = useState("all");
  const states = useMemo(() => ["all", ...new Set(points.map((p) => p.state))], [points]);
  const shown = points
    .filter((p) => state === "all" || p.state === state)
    .sort((a, b) => {
      if (sort === "number") return a.number - b.number;
      const va = a[sort] ?? -Infinity;
      const vb = b[sort] ?? -Infinity;
      return vb - va;
    });
  return (
    <div>
      <div className="row" style={{ marginBottom: "0.75rem" }}>
        <label htmlFor="trial-sort" className="small">
          Sort by
        </label>
        <select id="trial-sort" value={sort} onChange={(e) => setSort(e.target.value as SortKey)} style={{ width: "auto" }}>
          <option value="number">trial number</option>
          <option value="score">score (best first)</option>
          <option value="accuracy">accuracy</option>
          <option value="health">health</option>
        </select>
        <label htmlFor="trial-filter" className="small">
          Show
        </label>
        <select id="trial-filter" value={state} onChange={(e) => setState(e.target.value)} style={{ width: "auto" }}>
          {states.map((s) => (
            <option key={s} value={s}>
              {s}
            </option>
          ))}
        </select>
        <span className="muted small">{shown.length} {shown.length === 1 ? "trial" : "trials"}</span>
        {points.length > 0 && (
          <DownloadButton
            label="Trials (.csv)"
            path={`api/jobs/${jobId}/trials.csv`}
            filename={`${runName}_trials.csv`}
            help="Every trial as a row: state, score, accuracy, the eight health metrics, metrics and params_* columns (for a spreadsheet or pandas)."
          />
        )}
      </div>
      {shown.length === 0 && <p className="muted">No trials to show yet.</p>}
      <div className="grid grid-cards">
        {shown.map((p) => {
          const isBest = p.number === best;
          return (
            // the title is the link; it stretches over the whole card (CSS), so the card is one big target
            <article key={p.number} className={`card trial-card${isBest ? " highlight" : ""}`} data-testid={`trial-card-${p.number}`}>
              <div className="row" style={{ justifyContent: "space-between" }}>
                <strong>
                  <Link to={`/jobs/${jobId}/trials/${p.number}`} className="stretched-link">
                    Trial {p.number}
                  </Link>{" "}
                  {isBest && <span className="badge ok">★ best</span>}
                </strong>
                <StatusBadge status={p.state} />
              </div>
              <div className="row">
                <span className="small">
                  accuracy <strong>{pct(p.accuracy)}</strong>
                </span>
                <HealthBadge value={p.health} worst={p.worst} />
              </div>
              {p.state === "complete" && belowLinear(p.accuracy, baselines) && (
                <span className="badge warning small" title="Its validation accuracy is not above the linear baseline's.">
                  below the linear baseline
                </span>
              )}
              <dl className="kv">
                <dt>score</dt>
                <dd>{num(p.score, 4)}</dd>
                {KEY_PARAMS.filter((k) => k in p.params)
                  .slice(0, 5)
                  .map((k) => (
                    <div key={k} style={{ display: "contents" }}>
                      <dt className={descriptions[k] ? "has-tip" : undefined} title={descriptions[k] ? `${human(k)}: ${descriptions[k]}` : undefined}>
                        {human(k)}
                      </dt>
                      <dd>{paramValue(p.params[k])}</dd>
                    </div>
                  ))}
                {p.paramCount != null && (
                  <>
                    <dt>parameters</dt>
                    <dd>{p.paramCount.toLocaleString()}</dd>
                  </>
                )}
              </dl>
              {reasons[p.number] && <span className="small muted">{reasons[p.number]}</span>}
            </article>
          );
        })}
      </div>
    </div>
  );
}
