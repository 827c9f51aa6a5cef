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

/** Health in [0, 1] as a badge coloured by its value. */
export function HealthBadge({ value, label = "health" }: { value: number | null | undefined; label?: string }) {
  const text = value == null ? "n/a" : value.toFixed(2);
  return (
    <span
      className="badge"
      style={{ background: scoreColor(value), color: "#fff" }}
      title={`${label}: ${text} (0 = unhealthy, 1 = healthy)`}
    >
      {label} {text}
    </span>
  );
}
