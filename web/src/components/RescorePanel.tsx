import { useEffect, useState } from "react";
import { useRescore } from "../api/hooks";
import { ApiError } from "../api/client";
import { fromWeights, toRequestWeights, type WeightState, type WeightsLike } from "../lib/weights";
import { HealthBoughtTable } from "./HealthBought";
import { WeightSliders } from "./WeightSliders";
import { num } from "../lib/format";

/**
 * New weights for a finished run: every trial is scored again and the best model re-assembled, no training.
 * `completed` (trials that finished training, when known): with none there is nothing a re-score could rank,
 * so one line says so instead of sliders that can only lead to an error.
 */
export function RescorePanel({ jobId, initial, defaults, descriptions, onRescored, completed }: {
  jobId: string;
  initial: WeightsLike;
  defaults: WeightsLike;
  descriptions: Record<string, string>;
  onRescored: (weights: WeightsLike) => void;
  completed?: number | undefined;
}) {
  const [state, setState] = useState<WeightState>(() => fromWeights(initial));
  useEffect(() => setState(fromWeights(initial)), [initial]);
  const rescore = useRescore(jobId);
  const error = rescore.error instanceof ApiError ? rescore.error.message : rescore.error ? String(rescore.error) : null;
  if (completed === 0) {
    return (
      <p className="muted small" data-testid="rescore-unavailable">
        No trial finished training in this run, so there is nothing to re-score.
      </p>
    );
  }
  return (
    <div>
      <p className="muted small">
        Move the sliders and re-score: every finished trial is scored again with the new weights, and the best model is
        picked again from the trials already trained.
      </p>
      <WeightSliders state={state} onChange={setState} descriptions={descriptions} />
      <div className="row" style={{ marginTop: "0.75rem" }}>
        <button
          type="button"
          className="primary"
          disabled={rescore.isPending}
          onClick={() => {
            const weights = toRequestWeights(state);
            rescore.mutate(weights, { onSuccess: () => onRescored(weights) });
          }}
        >
          {rescore.isPending ? "Re-scoring…" : "Re-score trials"}
        </button>
        <button type="button" onClick={() => setState(fromWeights(defaults))}>
          Reset to defaults
        </button>
        {rescore.data && (
          <span role="status" data-testid="rescore-result">
            New best: trial {rescore.data.best_trial ?? "–"} (score {num(rescore.data.best_score, 4)})
          </span>
        )}
      </div>
      {error && <p className="field-error" role="alert">{error}</p>}
      {rescore.data?.health_bought && (
        <div style={{ marginTop: "0.75rem" }}>
          <h3>The new pick beside the accuracy-only pick</h3>
          <HealthBoughtTable data={rescore.data.health_bought} />
        </div>
      )}
    </div>
  );
}
