import { CartesianGrid, ComposedChart, Line, ResponsiveContainer, Tooltip, XAxis, YAxis, Legend } from "recharts";
import { historySeries, type TrialPoint } from "../../lib/trials";

/** Score per trial (dots) and the best score so far (step line). */
export function HistoryChart({ points, objective = "score" }: { points: TrialPoint[]; objective?: string }) {
  const data = historySeries(points);
  if (!data.length) return <div className="chart-empty">No finished trial yet: the history fills in as trials finish.</div>;
  return (
    <div className="chart" role="img" aria-label={`Optimization history: ${data.length} finished trials, best ${objective} ${data.at(-1)?.best?.toFixed(3)}`}>
      <ResponsiveContainer width="100%" height="100%">
        <ComposedChart data={data} margin={{ top: 8, right: 12, bottom: 18, left: 0 }}>
          <CartesianGrid stroke="var(--chart-grid)" />
          <XAxis dataKey="number" type="number" domain={["dataMin", "dataMax"]} allowDecimals={false} tick={{ fill: "var(--muted)", fontSize: 12 }} label={{ value: "trial", position: "insideBottom", offset: -10, fill: "var(--muted)" }} />
          <YAxis domain={[0, 1]} tick={{ fill: "var(--muted)", fontSize: 12 }} width={40} />
          <Tooltip contentStyle={{ background: "var(--surface)", border: "1px solid var(--border)", color: "var(--text)" }} formatter={(v) => (typeof v === "number" ? v.toFixed(4) : String(v))} labelFormatter={(l) => `trial ${l}`} />
          <Legend verticalAlign="top" height={24} />
          {/* dots drawn by a stroke-less Line: a Scatter would add the trial number to the tooltip as a value */}
          <Line name={objective} dataKey="score" stroke="var(--chart-3)" strokeWidth={0} legendType="circle" dot={{ r: 3.5, fill: "var(--chart-3)", stroke: "none" }} activeDot={{ r: 5, fill: "var(--chart-3)" }} isAnimationActive={false} />
          <Line name="best so far" type="stepAfter" dataKey="best" stroke="var(--chart-1)" strokeWidth={2} dot={false} isAnimationActive={false} />
        </ComposedChart>
      </ResponsiveContainer>
    </div>
  );
}
