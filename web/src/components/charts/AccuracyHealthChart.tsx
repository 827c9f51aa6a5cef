import { CartesianGrid, ResponsiveContainer, Scatter, ScatterChart, Tooltip, XAxis, YAxis, ZAxis, Legend } from "recharts";
import { paretoFront, type TrialPoint } from "../../lib/trials";

/** Validation accuracy against weighted health, one dot per trial; the Pareto front highlighted. */
export function AccuracyHealthChart({ points, highlightFront, best }: { points: TrialPoint[]; highlightFront: boolean; best: number | null | undefined }) {
  const data = points.filter((p) => p.accuracy != null && p.health != null);
  if (!data.length) return <div className="chart-empty">No trial with both accuracy and health yet.</div>;
  const front = paretoFront(data);
  const onFront = data.filter((p) => front.has(p.number)).sort((a, b) => a.health! - b.health!);
  const others = data.filter((p) => !(highlightFront && front.has(p.number)) && p.number !== best);
  const bestPoint = data.filter((p) => p.number === best);
  return (
    <div className="chart" role="img" aria-label={`Accuracy against health for ${data.length} trials; ${front.size} on the Pareto front`}>
      <ResponsiveContainer width="100%" height="100%">
        <ScatterChart margin={{ top: 8, right: 12, bottom: 18, left: 0 }}>
          <CartesianGrid stroke="var(--chart-grid)" />
          <XAxis dataKey="health" type="number" domain={[0, 1]} name="health" tick={{ fill: "var(--muted)", fontSize: 12 }} label={{ value: "health", position: "insideBottom", offset: -10, fill: "var(--muted)" }} />
          <YAxis dataKey="accuracy" type="number" domain={[0, 1]} name="accuracy" width={40} tick={{ fill: "var(--muted)", fontSize: 12 }} />
          <ZAxis dataKey="number" name="trial" range={[60, 60]} />
          <Tooltip contentStyle={{ background: "var(--surface)", border: "1px solid var(--border)", color: "var(--text)" }} formatter={(v) => (typeof v === "number" ? (Number.isInteger(v) ? v : v.toFixed(4)) : String(v))} />
          <Legend verticalAlign="top" height={24} />
          <Scatter name="trials" data={others} fill="var(--chart-3)" isAnimationActive={false} />
          {highlightFront && <Scatter name="Pareto front" data={onFront} fill="var(--chart-2)" line={{ stroke: "var(--chart-2)" }} isAnimationActive={false} />}
          {bestPoint.length > 0 && <Scatter name="best" data={bestPoint} fill="var(--chart-1)" shape="star" isAnimationActive={false} />}
        </ScatterChart>
      </ResponsiveContainer>
    </div>
  );
}
