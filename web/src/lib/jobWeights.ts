/** The scoring weights and the best trial of a job as they are now (after any re-score), as pure functions. */
import type { Job } from "../api/client";
import type { WeightsLike } from "./weights";

/** The parts of a job these functions read: the weights in force, the submitted request, the result. */
type JobLike = Partial<Pick<Job, "weights" | "request" | "result">>;

function complete(w: Partial<WeightsLike>, defaults: WeightsLike): WeightsLike {
  const accuracy = w.accuracy_weight ?? (w.health_overall_weight != null ? 1 - w.health_overall_weight : defaults.accuracy_weight);
  return {
    accuracy_weight: accuracy,
    health_overall_weight: w.health_overall_weight ?? 1 - accuracy,
    health_component_proportions: w.health_component_proportions ?? defaults.health_component_proportions,
  };
}

/**
 * The weights a job's scores were computed with: the job's `weights` (in force, changed by a re-score) when the
 * server sends them, else the submitted request's, with missing parts from the defaults.
 */
export function jobWeights(job: JobLike | undefined, defaults: WeightsLike): WeightsLike {
  const inForce = job?.weights as Partial<WeightsLike> | undefined;
  if (inForce && (inForce.accuracy_weight != null || inForce.health_overall_weight != null)) return complete(inForce, defaults);
  return complete((job?.request?.weights ?? {}) as Partial<WeightsLike>, defaults);
}

interface ProgressLike {
  best_trial?: number | null;
  best_score?: number | null;
}

/**
 * The best trial and its score. While a job runs, the live progress knows best; once it has ended the job's result
 * does (a re-score changes the result, not the study's progress counters).
 */
export function bestOf(job: JobLike & { status?: string }, progress: ProgressLike | undefined, ended: boolean): { trial: number | null; score: number | null } {
  const resultTrial = job.result?.best_trial ?? null;
  const resultScore = job.result?.best_score ?? null;
  const liveTrial = progress?.best_trial ?? null;
  const liveScore = progress?.best_score ?? null;
  if (ended && resultTrial != null) return { trial: resultTrial, score: resultScore ?? liveScore };
  return { trial: liveTrial ?? resultTrial, score: liveScore ?? resultScore };
}
