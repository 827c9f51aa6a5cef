import { Bar, BarChart, CartesianGrid, ResponsiveContainer, Tooltip, XAxis, YAxis } from "recharts";
import { human } from "../../lib/format";

/** Optuna's parameter importances (study_plots/param_importances.json): which choices moved the score. */
export function ImportanceChart({ importances }: { importances: Record<string, number> | null | undefined }) {
  const data = Object.entries(importances ?? {})
    .map(([name, value]) => ({ name: human(name), value }))
    .sort((a, b) => b.value - a.value)
    .slice(0, 12);
  if (!data.length) return <div className="chart-empty">Importances are computed when the run has at least two finished trials and has ended.</div>;
  return (
    <div className="chart" style={{ height: Math.max(200, data.length * 24 + 40) }} role="img" aria-label={`Parameter importances; most important: ${data[0]?.name}`}>
      <ResponsiveContainer width="100%" height="100%">
        <BarChart data={data} layout="vertical" margin={{ top: 4, right: 16, bottom: 4, left: 8 }}>
          <CartesianGrid stroke="var(--chart-grid)" horizontal={false} />
          <XAxis type="number" domain={[0, "dataMax"]} tick={{ fill: "var(--muted)", fontSize: 12 }} />
          <YAxis type="category" dataKey="name" width={120} tick={{ fill: "var(--text)", fontSize: 12 }} />
          <Tooltip contentStyle={{ background: "var(--surface)", border: "1px solid var(--border)", color: "var(--text)" }} formatter={(v) => (typeof v === "number" ? v.toFixed(3) : String(v))} />
          <Bar dataKey="value" name="importance" fill="var(--chart-1)" isAnimationActive={false} />
        </BarChart>
      </ResponsiveContainer>
    </div>
  );
}
