import { useState } from "react";

/** confusion_matrix.json (docs/plots.md): rows = true class, columns = predicted. */
export interface ConfusionData {
  caption?: string;
  labels: string[];
  counts: number[][];
  normalized: number[][];
  accuracy?: number;
}

export function ConfusionMatrixPlot({ data }: { data: ConfusionData }) {
  const [hover, setHover] = useState<[number, number] | null>(null);
  const n = data.labels.length;
  const cell = Math.max(22, Math.min(44, Math.floor(420 / Math.max(1, n))));
  return (
    <div>
      <div className="table-wrap">
        <table style={{ width: "auto", borderCollapse: "separate", borderSpacing: 2 }} aria-label="Confusion matrix: rows are true classes, columns predicted classes">
          <thead>
            <tr>
              <th scope="col" className="small">true ↓ / predicted →</th>
              {data.labels.map((l) => (
                <th key={l} scope="col" style={{ textAlign: "center", padding: 2 }}>
                  {l}
                </th>
              ))}
            </tr>
          </thead>
          <tbody>
            {data.counts.map((row, i) => (
              <tr key={i}>
                <th scope="row" style={{ padding: "2px 6px" }}>
                  {data.labels[i]}
                </th>
                {row.map((count, k) => {
                  const share = data.normalized[i]?.[k] ?? 0;
                  const diagonal = i === k;
                  const color = diagonal ? `rgba(15,118,110,${0.12 + 0.88 * share})` : `rgba(220,38,38,${share > 0 ? 0.12 + 0.88 * share : 0})`;
                  return (
                    <td
                      key={k}
                      title={`true ${data.labels[i]}, predicted ${data.labels[k]}: ${count} (${(share * 100).toFixed(1)}% of the row)`}
                      onMouseEnter={() => setHover([i, k])}
                      onMouseLeave={() => setHover(null)}
                      style={{
                        width: cell, height: cell, padding: 0, textAlign: "center", fontSize: 11,
                        background: color, color: share > 0.5 ? "#fff" : "var(--text)",
                        outline: hover && (hover[0] === i || hover[1] === k) ? "1px solid var(--focus)" : undefined,
                      }}
                    >
                      {count}
                    </td>
                  );
                })}
              </tr>
            ))}
          </tbody>
        </table>
      </div>
      <p className="small" aria-live="polite">
        {hover
          ? `True ${data.labels[hover[0]]} predicted as ${data.labels[hover[1]]}: ${data.counts[hover[0]]?.[hover[1]]} examples (${((data.normalized[hover[0]]?.[hover[1]] ?? 0) * 100).toFixed(1)}% of class ${data.labels[hover[0]]}).`
          : data.accuracy != null
            ? `Test accuracy ${(data.accuracy * 100).toFixed(1)}%. Hover a cell for details.`
            : "Hover a cell for details."}
      </p>
      {data.caption && <p className="muted small">{data.caption}</p>}
    </div>
  );
}
