import { Bar, BarChart, CartesianGrid, ResponsiveContainer, Tooltip, XAxis, YAxis } from "recharts";
import { human } from "../../lib/format";

/** A parameter's name on the y axis, its meaning (when known) as the tooltip. */
function ParamTick({ x, y, payload, tips }: { x?: number | string; y?: number | string; payload?: { value?: unknown }; tips: Record<string, string> }) {
  const label = String(payload?.value ?? "");
  return (
    <text x={x} y={y} dy={4} textAnchor="end" fill="var(--text)" fontSize={12} data-testid={`importance-label-${label}`}>
      {tips[label] && <title>{`${label}: ${tips[label]}`}</title>}
      {label}
    </text>
  );
}

/**
 * Optuna's parameter importances (GET /api/jobs/{id}/importances, live): which choices moved the score.
 * `descriptions` (name → sentence, from GET /api/search-space) become the parameter labels' tooltips.
 */
export function ImportanceChart({ importances, empty, target, descriptions = {} }: { importances: Record<string, number> | null | undefined; empty?: string | null | undefined; target?: string | undefined; descriptions?: Record<string, string> }) {
  const tips = Object.fromEntries(Object.keys(importances ?? {}).filter((name) => descriptions[name]).map((name) => [human(name), descriptions[name] as string]));
  const data = Object.entries(importances ?? {})
    .map(([name, value]) => ({ name: human(name), value }))
    .sort((a, b) => b.value - a.value)
    .slice(0, 12);
  if (!data.length) return <div className="chart-empty" data-testid="importances-empty">{empty ?? "Importances are computed once the run has at least two finished trials."}</div>;
  return (
    <div data-testid="importances">
    {target && <p className="muted small" style={{ margin: "0 0 0.25rem" }}>Share of the variation of the {target} each parameter explains, from the trials finished so far.</p>}
    <div className="chart" style={{ height: Math.max(200, data.length * 24 + 40) }} role="img" aria-label={`Parameter importances; most important: ${data[0]?.name}`}>
      <ResponsiveContainer width="100%" height="100%">
        <BarChart data={data} layout="vertical" margin={{ top: 4, right: 16, bottom: 4, left: 8 }}>
          <CartesianGrid stroke="var(--chart-grid)" horizontal={false} />
          <XAxis type="number" domain={[0, "dataMax"]} tick={{ fill: "var(--muted)", fontSize: 12 }} tickFormatter={(v: number) => v.toFixed(2)} />
          <YAxis type="category" dataKey="name" width={120} tick={(props: { x?: number | string; y?: number | string; payload?: { value?: unknown } }) => <ParamTick {...props} tips={tips} />} />
          <Tooltip contentStyle={{ background: "var(--surface)", border: "1px solid var(--border)", color: "var(--text)" }} formatter={(v) => (typeof v === "number" ? v.toFixed(3) : String(v))} />
          <Bar dataKey="value" name="importance" fill="var(--chart-1)" isAnimationActive={false} />
        </BarChart>
      </ResponsiveContainer>
    </div>
    </div>
  );
}
