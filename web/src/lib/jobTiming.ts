/** When a job started and how long it ran, over every attempt (a resume starts another). */
import { dateTime, duration } from "./format";

interface JobTimes {
  created_at: number;
  /** the latest attempt's start */
  started_at?: number | null;
  /** the first attempt's start (absent from servers before it existed) */
  first_started_at?: number | null;
  finished_at?: number | null;
  /** time spent running over all attempts */
  run_seconds?: number | null;
  attempts?: number | null;
}

/** "started <date> · took 4m 10s over 2 runs": the pause between a cancel and a resume is not counted. */
export function jobTiming(job: JobTimes): string {
  const started = `started ${dateTime(job.first_started_at ?? job.started_at ?? job.created_at)}`;
  if (job.finished_at == null || job.started_at == null) return started;
  const seconds = job.run_seconds ?? job.finished_at - job.started_at;
  const runs = (job.attempts ?? 1) > 1 ? ` over ${job.attempts} runs` : "";
  return `${started} · took ${duration(seconds)}${runs}`;
}
