import { describe, expect, it } from "vitest";
import { dateTime } from "./format";
import { jobTiming } from "./jobTiming";

describe("jobTiming", () => {
  it("counts every attempt of a resumed job from its first start, not the pause between", () => {
    const job = { created_at: 90, first_started_at: 100, started_at: 5000, finished_at: 5060, run_seconds: 150, attempts: 2 };
    expect(jobTiming(job)).toBe(`started ${dateTime(100)} · took 2m 30s over 2 runs`);
  });

  it("gives only the start while the job runs, and a single run without a count", () => {
    expect(jobTiming({ created_at: 90, started_at: 100, first_started_at: 100, run_seconds: 5, attempts: 1 })).toBe(
      `started ${dateTime(100)}`,
    );
    expect(jobTiming({ created_at: 90, started_at: 100, finished_at: 145, run_seconds: 45, attempts: 1 })).toBe(
      `started ${dateTime(100)} · took 45s`,
    );
  });

  it("falls back to the latest attempt's times for jobs from an older server", () => {
    expect(jobTiming({ created_at: 90, started_at: 100, finished_at: 130 })).toBe(`started ${dateTime(100)} · took 30s`);
    expect(jobTiming({ created_at: 90 })).toBe(`started ${dateTime(90)}`);
  });
});
