import { CartesianGrid, Legend, Line, LineChart, ReferenceLine, ResponsiveContainer, Tooltip, XAxis, YAxis } from "recharts";

/** training_history.json (docs/plots.md): loss and accuracy per epoch, training vs validation. */
export interface TrainingHistoryData {
  title?: string;
  caption?: string;
  epochs: number[];
  loss: (number | null)[];
  val_loss: (number | null)[];
  accuracy: (number | null)[];
  val_accuracy: (number | null)[];
  best_epoch?: number | null;
}

const tooltipStyle = { background: "var(--surface)", border: "1px solid var(--border)", color: "var(--text)" };

export function TrainingHistoryPlot({ data }: { data: TrainingHistoryData }) {
  const rows = data.epochs.map((epoch, i) => ({
    epoch,
    loss: data.loss[i] ?? null,
    val_loss: data.val_loss[i] ?? null,
    accuracy: data.accuracy[i] ?? null,
    val_accuracy: data.val_accuracy[i] ?? null,
  }));
  const format = (v: unknown) => (typeof v === "number" ? v.toFixed(4) : String(v));
  return (
    <div>
      <div className="grid grid-2">
        {(
          [
            ["loss", "val_loss", "Loss"],
            ["accuracy", "val_accuracy", "Accuracy"],
          ] as const
        ).map(([train, val, title]) => (
          <div key={title}>
            <h3>{title}</h3>
            <div className="chart" style={{ height: 240 }} role="img" aria-label={`${title} per epoch, training and validation`}>
              <ResponsiveContainer width="100%" height="100%">
                <LineChart data={rows} margin={{ top: 4, right: 12, bottom: 4, left: 0 }}>
                  <CartesianGrid stroke="var(--chart-grid)" />
                  <XAxis dataKey="epoch" tick={{ fill: "var(--muted)", fontSize: 12 }} />
                  <YAxis width={44} tick={{ fill: "var(--muted)", fontSize: 12 }} domain={title === "Accuracy" ? [0, 1] : ["auto", "auto"]} />
                  <Tooltip contentStyle={tooltipStyle} formatter={format} labelFormatter={(l) => `epoch ${l}`} />
                  <Legend />
                  {data.best_epoch != null && <ReferenceLine x={data.best_epoch} stroke="var(--chart-2)" strokeDasharray="4 3" label={{ value: "best", fill: "var(--chart-2)", fontSize: 11 }} />}
                  <Line name="training" dataKey={train} stroke="var(--chart-3)" strokeWidth={2} dot={{ r: 3 }} isAnimationActive={false} connectNulls />
                  <Line name="validation" dataKey={val} stroke="var(--chart-1)" strokeWidth={2} dot={{ r: 3 }} isAnimationActive={false} connectNulls />
                </LineChart>
              </ResponsiveContainer>
            </div>
          </div>
        ))}
      </div>
      {data.caption && <p className="muted small">{data.caption}</p>}
    </div>
  );
}
