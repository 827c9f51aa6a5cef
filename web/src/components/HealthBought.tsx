import type { HealthBought as HealthBoughtData, MeasuredTrial } from "../api/client";
import { InfoTip } from "./InfoTip";

/** What each measure means, in plain words (docs/health.md says the same). */
const MEASURES: { key: keyof MeasuredTrial; label: string; help: string; lowerIsBetter?: boolean; digits: number }[] = [
  { key: "test_accuracy", label: "Test accuracy", digits: 4, help: "Share of the test split classified right. The test split never took part in picking a model." },
  {
    key: "calibration_error",
    label: "Calibration error",
    digits: 4,
    lowerIsBetter: true,
    help: "How far the model's confidence is from how often it is right (expected calibration error, 15 bins). A model that says 90% should be right 9 times in 10; 0 is perfect.",
  },
  {
    key: "corrupted_accuracy",
    label: "Accuracy on corrupted inputs",
    digits: 4,
    help: "Test accuracy when inputs are a little damaged: images with noise, blur, lower contrast, a small shift or rotation; texts with words dropped or swapped. Healthy models lose less.",
  },
  { key: "val_accuracy", label: "Validation accuracy", digits: 4, help: "What picking by accuracy alone looks at." },
  { key: "health", label: "Health", digits: 3, help: "The weighted health score (0-1) with the weights in force." },
];

function value(entry: MeasuredTrial, key: keyof MeasuredTrial, digits: number): string {
  const v = entry[key];
  return typeof v === "number" ? v.toFixed(digits) : "–";
}

function difference(data: HealthBoughtData, key: keyof MeasuredTrial, lowerIsBetter: boolean | undefined): string {
  const d = data.differences?.[key as string];
  if (d == null) return "";
  const better = lowerIsBetter ? d < 0 : d > 0;
  const sign = d > 0 ? "+" : d < 0 ? "−" : "±";
  return `${sign}${Math.abs(d).toFixed(4)}${d !== 0 ? (better ? " better" : " worse") : ""}`;
}

/** The picked model beside the one validation accuracy alone would pick, measured once on the test split. */
export function HealthBoughtTable({ data }: { data: HealthBoughtData }) {
  const same = data.same_trial;
  return (
    <div data-testid="health-bought" className="table-wrap">
      <table>
        <thead>
          <tr>
            <th scope="col">Measure</th>
            <th scope="col">Picked: trial {data.chosen.trial}</th>
            {!same && <th scope="col">Accuracy alone: trial {data.accuracy_only.trial}</th>}
            {!same && <th scope="col">Difference</th>}
          </tr>
        </thead>
        <tbody>
          {MEASURES.map((m) => (
            <tr key={m.key}>
              <th scope="row">
                {m.label} <InfoTip label={m.label}>{m.help}</InfoTip>
              </th>
              <td>{value(data.chosen, m.key, m.digits)}</td>
              {!same && <td>{value(data.accuracy_only, m.key, m.digits)}</td>}
              {!same && <td>{difference(data, m.key, m.lowerIsBetter)}</td>}
            </tr>
          ))}
        </tbody>
      </table>
      <p className="small">{data.summary}</p>
    </div>
  );
}

/** The dashboard's section: shown once a finished run has measured its pick. */
export function HealthBoughtSection({ data }: { data: HealthBoughtData | null | undefined }) {
  if (!data) return null;
  return (
    <section className="card section" aria-labelledby="bought-title">
      <h2 id="bought-title">
        What health bought you{" "}
        <InfoTip label="what health bought you">
          The model picked by accuracy and health (the healthiest of the trials validation cannot tell apart from the most
          accurate one), beside the one validation accuracy alone would have picked, both measured once on the test split
          when the run ended. Health-aware selection pays off when the pick is about as accurate and better calibrated or
          more robust; on our benchmarks it mostly did not (docs/health.md).
        </InfoTip>
      </h2>
      <HealthBoughtTable data={data} />
    </section>
  );
}
