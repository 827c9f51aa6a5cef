/**
 * A trial's health gate (metrics.health_gate, computed by the server: healthtune.health.learning):
 * health = min(weighted metrics x learning_factor, cap). The badge colour also follows the worst finding,
 * so a model that did not learn (a critical finding) is never shown green.
 */
import type { Schemas } from "../api/client";

/** The parts of the server's gate (HealthGateOut) that health and the badge colour read. */
export type HealthGate = Pick<Schemas["HealthGateOut"], "learning_factor" | "cap" | "worst_severity">;
type Severity = NonNullable<HealthGate["worst_severity"]>;
const SEVERITIES: readonly string[] = ["info", "warning", "critical"] satisfies Severity[];

function isSeverity(value: unknown): value is Severity {
  return typeof value === "string" && SEVERITIES.includes(value);
}

/** The gate stored with a trial's metrics (typed loosely there); null for trials scored before gates existed. */
export function healthGate(value: unknown): HealthGate | null {
  if (value == null || typeof value !== "object") return null;
  const g = value as Record<string, unknown>;
  if (typeof g.learning_factor !== "number" || typeof g.cap !== "number") return null;
  return {
    learning_factor: g.learning_factor,
    cap: g.cap,
    worst_severity: isSeverity(g.worst_severity) ? g.worst_severity : null,
  };
}

/** Weighted health through the gate: scaled by the learning factor, capped by a critical finding. */
export function gatedHealth(weighted: number | null, gate: HealthGate | null): number | null {
  if (weighted == null || gate == null) return weighted;
  return Math.min(weighted * gate.learning_factor, gate.cap);
}

/** The highest value a badge may be coloured as, by the worst finding: red for critical, amber for warning. */
const COLOUR_CEILING: Record<string, number> = { critical: 0.15, warning: 0.5 };

/** The value whose colour a health badge shows: the health, held down by the worst finding. */
export function badgeColourValue(value: number | null | undefined, worst: string | null | undefined): number | null | undefined {
  if (value == null || !worst || !(worst in COLOUR_CEILING)) return value;
  return Math.min(value, COLOUR_CEILING[worst]!);
}
