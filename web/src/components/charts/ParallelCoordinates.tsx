import { useState } from "react";
import { human, paramValue } from "../../lib/format";
import type { TrialPoint } from "../../lib/trials";
import { scoreColor } from "../StatusBadge";

interface Axis {
  name: string;
  label: string;
  position: (value: unknown) => number | null; // 0 (bottom) .. 1 (top)
  ticks: { at: number; label: string }[];
}

function makeAxis(name: string, values: unknown[], label = human(name)): Axis | null {
  const present = values.filter((v) => v !== undefined && v !== null);
  if (!present.length) return null;
  if (present.every((v) => typeof v === "number")) {
    const nums = present as number[];
    const min = Math.min(...nums);
    const max = Math.max(...nums);
    const log = min > 0 && max / min > 50;
    const f = (v: number) => (log ? Math.log10(v) : v);
    const lo = f(min);
    const hi = f(max);
    const position = (v: unknown) => (typeof v === "number" ? (hi === lo ? 0.5 : (f(v) - lo) / (hi - lo)) : null);
    const ticks = hi === lo ? [{ at: 0.5, label: paramValue(min) }] : [{ at: 0, label: paramValue(min) }, { at: 1, label: paramValue(max) }];
    return { name, label, position, ticks };
  }
  const categories = [...new Set(present.map(String))].sort();
  const position = (v: unknown) => {
    if (v === undefined || v === null) return null;
    const i = categories.indexOf(String(v));
    return categories.length === 1 ? 0.5 : i / (categories.length - 1);
  };
  return { name, label, position, ticks: categories.map((c, i) => ({ at: categories.length === 1 ? 0.5 : i / (categories.length - 1), label: c })) };
}

/** Whether a parameter took one value (or none) in every trial: its axis would say nothing. */
function constant(values: unknown[]): boolean {
  return new Set(values.filter((v) => v !== undefined && v !== null).map((v) => JSON.stringify(v))).size < 2;
}

/**
 * One vertical axis per parameter and one for the score; each trial is a line, coloured by its score.
 * `params` in order of interest: the first `max` that varied between the finished trials get an axis
 * (a parameter with the same value in every trial is left out). `descriptions` (name → sentence, from
 * GET /api/search-space) become the axis labels' tooltips.
 */
export function ParallelCoordinates({ points, params, descriptions = {}, max = 6 }: { points: TrialPoint[]; params: string[]; descriptions?: Record<string, string>; max?: number }) {
  const [hover, setHover] = useState<number | null>(null);
  const data = points.filter((p) => p.state === "complete" && p.score != null);
  if (data.length < 2) return <div className="chart-empty">Parallel coordinates need at least two finished trials.</div>;
  const varying = params.filter((name) => !constant(data.map((p) => p.params[name]))).slice(0, max);
  const axes = [
    ...varying.map((name) => makeAxis(name, data.map((p) => p.params[name]))),
    makeAxis("score", data.map((p) => p.score), "score"),
  ].filter((a): a is Axis => a !== null);
  if (axes.length < 2) {
    return (
      <div className="chart-empty" data-testid="parallel-empty">
        Every parameter shown here had the same value in all finished trials, so there is nothing to compare yet.
      </div>
    );
  }
  const width = Math.max(560, axes.length * 110);
  const height = 300;
  const top = 28;
  const bottom = 36;
  const x = (i: number) => 50 + (i * (width - 100)) / Math.max(1, axes.length - 1);
  const y = (t: number) => top + (1 - t) * (height - top - bottom);
  const value = (p: TrialPoint, axis: Axis) => (axis.name === "score" ? p.score : p.params[axis.name]);
  return (
    <div className="table-wrap">
      <svg
        width={width}
        height={height}
        viewBox={`0 0 ${width} ${height}`}
        role="img"
        aria-label={`Parallel coordinates of ${data.length} trials over ${axes.length - 1} parameters`}
        style={{ display: "block", maxWidth: "none" }}
      >
        {data.map((p) => {
          const pts = axes
            .map((axis, i) => {
              const t = axis.position(value(p, axis));
              return t == null ? null : `${x(i)},${y(t)}`;
            })
            .filter(Boolean)
            .join(" ");
          const active = hover === p.number;
          return (
            <polyline
              key={p.number}
              points={pts}
              fill="none"
              stroke={scoreColor(p.score)}
              strokeWidth={active ? 3.5 : 1.6}
              strokeOpacity={hover == null || active ? 0.9 : 0.25}
              onMouseEnter={() => setHover(p.number)}
              onMouseLeave={() => setHover(null)}
            >
              <title>{`trial ${p.number}: score ${p.score?.toFixed(4)}`}</title>
            </polyline>
          );
        })}
        {axes.map((axis, i) => (
          <g key={axis.name}>
            <line x1={x(i)} x2={x(i)} y1={y(0)} y2={y(1)} stroke="var(--muted)" />
            <text x={x(i)} y={14} textAnchor="middle" fontSize={12} fill="var(--text)" fontWeight={600} data-testid={`axis-${axis.name}`}>
              {descriptions[axis.name] && <title>{`${axis.label}: ${descriptions[axis.name]}`}</title>}
              {axis.label}
            </text>
            {axis.ticks.map((tick) => (
              <text key={tick.label + tick.at} x={x(i) + 4} y={y(tick.at) + 4} fontSize={10} fill="var(--muted)">
                {tick.label}
              </text>
            ))}
          </g>
        ))}
      </svg>
    </div>
  );
}
