import { useState } from "react";
import { downloadWithToken, fileUrl, getToken } from "../api/client";

interface Item {
  label: string;
  path: string;
  filename: string;
  help: string;
}

/** A file under the API as a download: a plain link, or a fetch with the API token when one is set. */
export function DownloadButton({ label, path, filename, help }: Item) {
  const [error, setError] = useState<string | null>(null);
  return (
    <>
      {getToken() ? (
        <button
          type="button"
          title={help}
          onClick={() => downloadWithToken(path, filename).catch((e: unknown) => setError(String(e)))}
        >
          ⬇ {label}
        </button>
      ) : (
        <a className="button" href={fileUrl(path)} download={filename} title={help}>
          ⬇ {label}
        </a>
      )}
      {error && (
        <span className="field-error" role="alert">
          {error}
        </span>
      )}
    </>
  );
}

/** The optimized model, its visualization JSON and the full zip; disabled with a reason until they exist. */
export function Downloads({ jobId, runName, modelFile, reason }: { jobId: string; runName: string; modelFile: string | null; reason: string | null }) {
  const items: Item[] = [
    { label: "Model (.keras)", path: `api/download/${jobId}`, filename: modelFile ?? `${runName}.keras`, help: "Load it with keras.saving.load_model." },
    { label: "Visualization JSON", path: `api/jobs/${jobId}/best-model/download`, filename: `${runName}_best_model.json`, help: "The best trial's summary and architecture data." },
    { label: "Everything (.zip)", path: `api/jobs/${jobId}/download`, filename: `${runName}.zip`, help: "Model, summary, metrics, plots, study plots and trials.csv." },
  ];
  return (
    <div>
      <div className="row">
        {items.map((item) =>
          reason ? (
            <button key={item.label} type="button" disabled aria-describedby={`dl-reason-${jobId}`} title={reason}>
              ⬇ {item.label}
            </button>
          ) : (
            <DownloadButton key={item.label} {...item} />
          ),
        )}
      </div>
      {reason && (
        <p className="muted small" id={`dl-reason-${jobId}`}>
          {reason}
        </p>
      )}
    </div>
  );
}
