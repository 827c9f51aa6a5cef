import { CartesianGrid, ResponsiveContainer, Scatter, ScatterChart, Tooltip, XAxis, YAxis, ZAxis, Legend } from "recharts";
import type { TrialPoint } from "../../lib/trials";

interface ParetoDotProps {
  cx?: number | undefined;
  cy?: number | undefined;
  payload?: TrialPoint;
}

/** A front point: a ringed dot that tests and screen magnifiers can find (class and trial number). */
function ParetoDot({ cx, cy, payload }: ParetoDotProps) {
  if (cx == null || cy == null) return null;
  return (
    <g className="pareto-point" data-trial={payload?.number}>
      <circle cx={cx} cy={cy} r={7} fill="none" stroke="var(--chart-2)" strokeWidth={2} />
      <circle cx={cx} cy={cy} r={4} fill="var(--chart-2)" />
    </g>
  );
}

/**
 * Validation accuracy against weighted health, one dot per trial. In Pareto mode the front is the
 * server's (the trials flagged `pareto`, the set the final model is picked from), joined by a line.
 */
export function AccuracyHealthChart({ points, highlightFront, best }: { points: TrialPoint[]; highlightFront: boolean; best: number | null | undefined }) {
  const data = points.filter((p) => p.accuracy != null && p.health != null);
  if (!data.length) return <div className="chart-empty">No trial with both accuracy and health yet.</div>;
  const onFront = highlightFront ? data.filter((p) => p.pareto).sort((a, b) => a.health! - b.health!) : [];
  const others = data.filter((p) => !(highlightFront && p.pareto) && p.number !== best);
  const bestPoint = data.filter((p) => p.number === best);
  const label = `Accuracy against health for ${data.length} trials${highlightFront ? `; ${onFront.length} on the Pareto front (trials ${onFront.map((p) => p.number).join(", ")})` : ""}`;
  return (
    <div className="chart" role="img" aria-label={label} data-testid="accuracy-health-chart" data-pareto={onFront.map((p) => p.number).join(",")}>
      <ResponsiveContainer width="100%" height="100%">
        <ScatterChart margin={{ top: 8, right: 12, bottom: 18, left: 0 }}>
          <CartesianGrid stroke="var(--chart-grid)" />
          <XAxis dataKey="health" type="number" domain={[0, 1]} name="health" tick={{ fill: "var(--muted)", fontSize: 12 }} label={{ value: "health", position: "insideBottom", offset: -10, fill: "var(--muted)" }} />
          <YAxis dataKey="accuracy" type="number" domain={[0, 1]} name="accuracy" width={40} tick={{ fill: "var(--muted)", fontSize: 12 }} />
          <ZAxis dataKey="number" name="trial" range={[60, 60]} />
          <Tooltip contentStyle={{ background: "var(--surface)", border: "1px solid var(--border)", color: "var(--text)" }} formatter={(v) => (typeof v === "number" ? (Number.isInteger(v) ? v : v.toFixed(4)) : String(v))} />
          <Legend verticalAlign="top" height={24} />
          <Scatter name="trials" data={others} fill="var(--chart-3)" isAnimationActive={false} />
          {highlightFront && (
            <Scatter
              name="Pareto front (server)"
              data={onFront}
              fill="var(--chart-2)"
              line={{ stroke: "var(--chart-2)", strokeDasharray: "4 3" }}
              shape={(props: ParetoDotProps) => <ParetoDot {...props} />}
              isAnimationActive={false}
            />
          )}
          {bestPoint.length > 0 && <Scatter name="best" data={bestPoint} fill="var(--chart-1)" shape="star" isAnimationActive={false} />}
        </ScatterChart>
      </ResponsiveContainer>
    </div>
  );
}
