/** Small formatting helpers. */

export function pct(value: number | null | undefined, digits = 1): string {
  return value == null || !Number.isFinite(value) ? "–" : `${(value * 100).toFixed(digits)}%`;
}

export function num(value: number | null | undefined, digits = 3): string {
  if (value == null || !Number.isFinite(value)) return "–";
  if (value !== 0 && (Math.abs(value) < 1e-3 || Math.abs(value) >= 1e6)) return value.toExponential(2);
  return Number.isInteger(value) ? value.toLocaleString() : value.toFixed(digits);
}

export function duration(seconds: number | null | undefined): string {
  if (seconds == null || !Number.isFinite(seconds)) return "–";
  const s = Math.max(0, Math.round(seconds));
  if (s < 60) return `${s}s`;
  const m = Math.floor(s / 60);
  if (m < 60) return `${m}m ${String(s % 60).padStart(2, "0")}s`;
  return `${Math.floor(m / 60)}h ${String(m % 60).padStart(2, "0")}m`;
}

export function dateTime(epochSeconds: number | null | undefined): string {
  if (epochSeconds == null) return "–";
  return new Date(epochSeconds * 1000).toLocaleString();
}

/** "learning_rate" -> "learning rate". */
export function human(name: string): string {
  return name.replace(/_/g, " ");
}

export function paramValue(value: unknown): string {
  if (typeof value === "number") return num(value, 4);
  if (typeof value === "boolean") return value ? "yes" : "no";
  if (value == null) return "–";
  return String(value);
}

/** Health in [0, 1] from a trial's metrics, weighted with `proportions`. */
export function weightedHealth(
  health: Record<string, number> | undefined | null,
  proportions: Record<string, number>,
): number | null {
  if (!health) return null;
  let total = 0;
  let weight = 0;
  for (const [name, p] of Object.entries(proportions)) {
    const v = health[name];
    if (typeof v === "number" && Number.isFinite(v)) {
      total += p * v;
      weight += p;
    }
  }
  return weight > 0 ? total / weight : null;
}

/**
 * A dataset name as people recognise it: an upload by its name ("clothes (upload)", the server's
 * path stays in the tooltip), a path by its last folder or file ("images: …/pets"), a registry name as it is.
 */
export function datasetLabel(name: string): string {
  const upload = /^(?:images|texts|csv|npz):.*[\\/]\.uploads[\\/]([^\\/]+)[\\/]/.exec(name);
  if (upload) return `${upload[1]} (upload)`;
  const path = /^(images|texts|csv|npz):(.*[\\/])([^\\/]+)[\\/]?$/.exec(name.trim());
  if (path && path[2] !== "/") return `${path[1]}: …/${path[3]}`;
  return name;
}
