/** Derived values for trials: health, Pareto front, best-so-far. */
import type { Trial } from "../api/client";
import { weightedHealth } from "./format";

export interface TrialPoint {
  number: number;
  state: string;
  score: number | null;
  accuracy: number | null;
  health: number | null;
  params: Record<string, unknown>;
  paramCount: number | null;
  seconds: number | null;
}

export function trialPoint(trial: Trial, proportions: Record<string, number>): TrialPoint {
  const m = trial.metrics as Record<string, unknown>;
  const num = (v: unknown) => (typeof v === "number" && Number.isFinite(v) ? v : null);
  return {
    number: trial.number,
    state: trial.state,
    score: num(trial.score),
    accuracy: num(m.val_accuracy),
    health: weightedHealth(m.health as Record<string, number> | undefined, proportions),
    params: trial.params,
    paramCount: num(m.params),
    seconds: num(m.total_seconds),
  };
}

/** Trials no other trial beats on both accuracy and health (higher is better for both). */
export function paretoFront(points: TrialPoint[]): Set<number> {
  const candidates = points.filter((p) => p.accuracy != null && p.health != null);
  const front = new Set<number>();
  for (const p of candidates) {
    const dominated = candidates.some(
      (q) =>
        q !== p &&
        q.accuracy! >= p.accuracy! &&
        q.health! >= p.health! &&
        (q.accuracy! > p.accuracy! || q.health! > p.health!),
    );
    if (!dominated) front.add(p.number);
  }
  return front;
}

/** Score per finished trial in trial order, with the best score so far. */
export function historySeries(points: TrialPoint[]): { number: number; score: number | null; best: number | null }[] {
  let best: number | null = null;
  return [...points]
    .sort((a, b) => a.number - b.number)
    .filter((p) => p.state === "complete" && p.score != null)
    .map((p) => {
      best = best == null ? p.score! : Math.max(best, p.score!);
      return { number: p.number, score: p.score, best };
    });
}
