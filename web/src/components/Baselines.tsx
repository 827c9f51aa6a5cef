import type { Schemas } from "../api/client";
import { pct } from "../lib/format";
import { InfoTip } from "./InfoTip";

type Baseline = Schemas["BaselineOut"];
type Verdict = Schemas["BaselineVerdict"];

/** The reference models every run fits on its training split, and whether the best network beats the linear one. */
export function Baselines({ baselines, verdict }: { baselines: Baseline[]; verdict: Verdict | null | undefined }) {
  if (baselines.length === 0) return null;
  return (
    <div className="section" data-testid="baselines">
      <p className="small">
        <strong>Baselines</strong>{" "}
        <InfoTip label="baselines">
          Two reference models fitted on the same training data, scored on the same validation split as the trials: always
          predicting the most frequent class, and a linear model (logistic regression). A network that does not beat them has
          not earned its complexity.
        </InfoTip>{" "}
        {baselines.map((b, index) => (
          <span key={b.name} title={`${b.description}${b.subsampled ? `, fitted on ${b.train_examples.toLocaleString()} sampled examples` : ""}`}>
            {index > 0 && " · "}
            {b.name === "linear" ? "linear model" : "majority class"} <strong>{pct(b.val_accuracy)}</strong>
          </span>
        ))}{" "}
        <span className="muted">(validation accuracy)</span>
      </p>
      {verdict && (
        <p className={`finding ${verdict.beats_linear ? "" : "warning"}`} role={verdict.beats_linear ? undefined : "note"}>
          {verdict.message}
        </p>
      )}
    </div>
  );
}

/** A card's note when its trial is below the linear baseline on validation. */
export function belowLinear(accuracy: number | null | undefined, baselines: Baseline[]): boolean {
  const linear = baselines.find((b) => b.name === "linear");
  return linear != null && accuracy != null && accuracy <= linear.val_accuracy;
}
