/** Derived values for trials: health, best-so-far; the Pareto flag is the server's (TrialOut.pareto). */
import type { Trial } from "../api/client";
import { weightedHealth } from "./format";
import { gatedHealth, healthGate } from "./healthGate";

export interface TrialPoint {
  number: number;
  state: string;
  score: number | null;
  accuracy: number | null;
  /** weighted health through the trial's learning gate and critical cap */
  health: number | null;
  /** severity of the trial's worst health finding (colours its badge) */
  worst?: string | null;
  params: Record<string, unknown>;
  paramCount: number | null;
  seconds: number | null;
  /** on the Pareto front the server selects the final model from (pareto mode) */
  pareto: boolean;
}

export function trialPoint(trial: Trial, proportions: Record<string, number>): TrialPoint {
  const m = trial.metrics as Record<string, unknown>;
  const num = (v: unknown) => (typeof v === "number" && Number.isFinite(v) ? v : null);
  const gate = healthGate(m.health_gate);
  return {
    number: trial.number,
    state: trial.state,
    score: num(trial.score),
    accuracy: num(m.val_accuracy),
    health: gatedHealth(weightedHealth(m.health as Record<string, number> | undefined, proportions), gate),
    worst: gate?.worst_severity ?? null,
    params: trial.params,
    paramCount: num(m.params),
    seconds: num(m.total_seconds),
    pareto: trial.pareto ?? false,
  };
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
