import { badgeColourValue } from "../lib/healthGate";

/** A job's or trial's status as a coloured badge. */
export function StatusBadge({ status }: { status: string }) {
  return <span className={`badge ${status}`}>{status}</span>;
}

/** Red (0) -> yellow (0.5) -> green (1), like architecture.json's colours. */
export function scoreColor(value: number | null | undefined): string {
  if (value == null || !Number.isFinite(value)) return "#9e9e9e";
  const v = Math.min(1, Math.max(0, value));
  const hue = v * 120;
  return `hsl(${hue.toFixed(0)} 70% 42%)`;
}

/** sRGB channels (0..255) of scoreColor's hsl(h 70% 42%). */
function scoreRgb(value: number | null | undefined): [number, number, number] {
  if (value == null || !Number.isFinite(value)) return [0x9e, 0x9e, 0x9e];
  const h = Math.round(Math.min(1, Math.max(0, value)) * 120);
  const s = 0.7;
  const l = 0.42;
  const a = s * Math.min(l, 1 - l);
  const f = (n: number) => {
    const k = (n + h / 30) % 12;
    return Math.round(255 * (l - a * Math.max(-1, Math.min(k - 3, 9 - k, 1))));
  };
  return [f(0), f(8), f(4)];
}

function luminance([r, g, b]: [number, number, number]): number {
  const lin = (c: number) => {
    const x = c / 255;
    return x <= 0.04045 ? x / 12.92 : ((x + 0.055) / 1.055) ** 2.4;
  };
  return 0.2126 * lin(r) + 0.7152 * lin(g) + 0.0722 * lin(b);
}

/** Black or white, whichever reads better on the badge's colour (always >= 4.5:1, WCAG AA). */
export function textOn(value: number | null | undefined): string {
  const l = luminance(scoreRgb(value));
  return 1.05 / (l + 0.05) >= (l + 0.05) / 0.05 ? "#ffffff" : "#111111";
}

/** Health in [0, 1] as a badge coloured by its value, never greener than its worst finding allows. */
export function HealthBadge({ value, worst, label = "health" }: { value: number | null | undefined; worst?: string | null; label?: string }) {
  const text = value == null ? "n/a" : value.toFixed(2);
  const colour = badgeColourValue(value, worst);
  const why = worst === "critical" || worst === "warning" ? `; worst finding: ${worst}` : "";
  return (
    <span
      className="badge"
      style={{ background: scoreColor(colour), color: textOn(colour) }}
      title={`${label}: ${text} (0 = unhealthy, 1 = healthy${why})`}
    >
      {label} {text}
    </span>
  );
}

/** A run made from the CLI or Python that the server lists but did not start: it is read-only there. */
export function ReadOnlyBadge() {
  return (
    <span className="badge" data-testid="read-only" title="made from the command line or Python and found in the server's results root: you can browse it here, but not cancel, resume, re-score or delete it">
      CLI run · read-only
    </span>
  );
}
