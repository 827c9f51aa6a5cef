import { InfoTip } from "./InfoTip";

interface ClassScores {
  precision: number;
  recall: number;
  f1: number;
  support: number;
}

const OBJECTIVE_TITLES: Record<string, string> = {
  accuracy: "accuracy",
  balanced_accuracy: "balanced accuracy",
  macro_f1: "macro F1",
  roc_auc: "ROC AUC",
};

/** Reads metrics.json's per_class (written by trials since objectives were added); null for older trials. */
export function perClassOf(metrics: Record<string, unknown>): Record<string, ClassScores> | null {
  const perClass = metrics.per_class as { test?: Record<string, ClassScores>; validation?: Record<string, ClassScores> } | undefined;
  const split = perClass?.test && Object.keys(perClass.test).length ? perClass.test : perClass?.validation;
  return split && Object.keys(split).length ? split : null;
}

/** Precision, recall and F1 of every class on the test split, the weakest recall marked, and the run's objective. */
export function PerClassTable({ metrics }: { metrics: Record<string, unknown> }) {
  const classes = perClassOf(metrics);
  if (!classes) return null;
  const rows = Object.entries(classes);
  const lowest = Math.min(...rows.map(([, c]) => c.recall));
  const objective = typeof metrics.objective === "string" ? metrics.objective : "accuracy";
  const value = (key: string) => (typeof metrics[key] === "number" ? (metrics[key] as number).toFixed(4) : "–");
  return (
    <section className="card section" aria-labelledby="classes-title" data-testid="per-class">
      <h2 id="classes-title">
        Per class{" "}
        <InfoTip label="per class">
          Precision: of the examples the model called this class, the share that were. Recall: of this class&apos;s examples, the
          share the model found. F1 balances the two. A class with a much lower recall than the others is one the model
          mostly misses, common for rare classes; class_weight=balanced or the macro_f1 objective help.
        </InfoTip>
      </h2>
      <p className="small">
        Objective: <strong>{OBJECTIVE_TITLES[objective] ?? objective}</strong> · validation {value("val_objective")} · test {value("test_objective")}
      </p>
      <div className="table-wrap">
        <table>
          <thead>
            <tr>
              <th scope="col">Class</th>
              <th scope="col">Precision</th>
              <th scope="col">Recall</th>
              <th scope="col">F1</th>
              <th scope="col">Examples</th>
            </tr>
          </thead>
          <tbody>
            {rows.map(([name, c]) => (
              <tr key={name}>
                <th scope="row">{name}</th>
                <td>{c.precision.toFixed(3)}</td>
                <td className={c.recall === lowest && rows.length > 1 ? "warning-text" : undefined}>{c.recall.toFixed(3)}</td>
                <td>{c.f1.toFixed(3)}</td>
                <td>{c.support}</td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
    </section>
  );
}
