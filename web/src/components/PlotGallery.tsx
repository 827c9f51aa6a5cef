import { useEffect, useRef, useState } from "react";
import { fileUrl } from "../api/client";
import { human } from "../lib/format";
import { AuthImage } from "./AuthImage";

/** Every plot of a trial as a thumbnail; a lightbox (arrows, Escape) with PNG and JSON downloads. */
export function PlotGallery({ jobId, trial, plots }: { jobId: string; trial: number; plots: string[] }) {
  const [open, setOpen] = useState<number | null>(null);
  const path = (name: string, ext: "png" | "json") => `api/jobs/${jobId}/trials/${trial}/plots/${name}.${ext}`;
  if (!plots.length) return <p className="muted">This trial drew no plots (see the run&apos;s plot mode: by default only the best trial draws them).</p>;
  return (
    <>
      <div className="gallery" data-testid="plot-gallery">
        {plots.map((name, i) => (
          <figure key={name}>
            <button type="button" className="thumb" onClick={() => setOpen(i)} aria-label={`Open plot ${human(name)}`}>
              <AuthImage path={path(name, "png")} alt={human(name)} loading="lazy" width={800} height={500} />
            </button>
            <figcaption>
              <span>{human(name)}</span>
              <span className="row" style={{ gap: 6 }}>
                <a href={fileUrl(path(name, "png"))} download={`trial${trial}_${name}.png`} aria-label={`Download ${human(name)} PNG`}>
                  PNG
                </a>
                <a href={fileUrl(path(name, "json"))} download={`trial${trial}_${name}.json`} aria-label={`Download ${human(name)} data as JSON`}>
                  JSON
                </a>
              </span>
            </figcaption>
          </figure>
        ))}
      </div>
      {open != null && plots[open] && (
        <Lightbox
          name={plots[open]}
          pngPath={path(plots[open], "png")}
          jsonPath={path(plots[open], "json")}
          index={open}
          count={plots.length}
          onMove={(delta) => setOpen((open + delta + plots.length) % plots.length)}
          onClose={() => setOpen(null)}
          trial={trial}
        />
      )}
    </>
  );
}

function Lightbox({ name, pngPath, jsonPath, index, count, onMove, onClose, trial }: {
  name: string; pngPath: string; jsonPath: string; index: number; count: number; trial: number;
  onMove: (delta: number) => void; onClose: () => void;
}) {
  const closeRef = useRef<HTMLButtonElement>(null);
  useEffect(() => {
    const previous = document.activeElement as HTMLElement | null;
    closeRef.current?.focus();
    const onKey = (e: KeyboardEvent) => {
      if (e.key === "Escape") onClose();
      if (e.key === "ArrowRight") onMove(1);
      if (e.key === "ArrowLeft") onMove(-1);
    };
    window.addEventListener("keydown", onKey);
    return () => {
      window.removeEventListener("keydown", onKey);
      previous?.focus();
    };
  }, [onClose, onMove]);
  return (
    <div className="lightbox" role="dialog" aria-modal="true" aria-label={`Plot ${human(name)}`} onClick={(e) => e.target === e.currentTarget && onClose()} data-testid="lightbox">
      <AuthImage path={pngPath} alt={human(name)} />
      <div className="bar">
        <button type="button" onClick={() => onMove(-1)} aria-label="Previous plot">
          ←
        </button>
        <span>
          {human(name)} ({index + 1} / {count})
        </span>
        <button type="button" onClick={() => onMove(1)} aria-label="Next plot">
          →
        </button>
        <a className="button" href={fileUrl(pngPath)} download={`trial${trial}_${name}.png`}>
          Download PNG
        </a>
        <a className="button" href={fileUrl(jsonPath)} download={`trial${trial}_${name}.json`}>
          Download JSON
        </a>
        <button type="button" ref={closeRef} onClick={onClose}>
          Close
        </button>
      </div>
    </div>
  );
}
