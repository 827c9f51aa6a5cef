/** Placeholder shapes shown while data loads. */
export function Skeleton({ height = 18, width = "100%", count = 1 }: { height?: number; width?: string | number; count?: number }) {
  return (
    <div aria-hidden="true" style={{ display: "flex", flexDirection: "column", gap: 8 }}>
      {Array.from({ length: count }, (_, i) => (
        <div key={i} className="skeleton" style={{ height, width }} />
      ))}
    </div>
  );
}

export function CardSkeleton({ lines = 3 }: { lines?: number }) {
  return (
    <div className="card" role="status" aria-label="Loading">
      <Skeleton height={22} width="40%" />
      <div style={{ height: 12 }} />
      <Skeleton count={lines} />
    </div>
  );
}
