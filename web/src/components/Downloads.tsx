import { useState } from "react";
import { downloadWithToken, fileUrl, getToken } from "../api/client";

interface Item {
  label: string;
  path: string;
  filename: string;
  help: string;
}

/** The optimized model, its visualization JSON and the full zip; disabled with a reason until they exist. */
export function Downloads({ jobId, runName, modelFile, reason }: { jobId: string; runName: string; modelFile: string | null; reason: string | null }) {
  const [error, setError] = useState<string | null>(null);
  const items: Item[] = [
    { label: "Model (.keras)", path: `api/download/${jobId}`, filename: modelFile ?? `${runName}.keras`, help: "Load it with keras.saving.load_model." },
    { label: "Visualization JSON", path: `api/jobs/${jobId}/best-model/download`, filename: `${runName}_best_model.json`, help: "The best trial's summary and architecture data." },
    { label: "Everything (.zip)", path: `api/jobs/${jobId}/download`, filename: `${runName}.zip`, help: "Model, summary, metrics, plots and study plots." },
  ];
  const token = getToken();
  return (
    <div>
      <div className="row">
        {items.map((item) =>
          reason ? (
            <button key={item.label} type="button" disabled aria-describedby={`dl-reason-${jobId}`} title={reason}>
              ⬇ {item.label}
            </button>
          ) : token ? (
            <button
              key={item.label}
              type="button"
              title={item.help}
              onClick={() => downloadWithToken(item.path, item.filename).catch((e: unknown) => setError(String(e)))}
            >
              ⬇ {item.label}
            </button>
          ) : (
            <a key={item.label} className="button" href={fileUrl(item.path)} download={item.filename} title={item.help}>
              ⬇ {item.label}
            </a>
          ),
        )}
      </div>
      {reason && (
        <p className="muted small" id={`dl-reason-${jobId}`}>
          {reason}
        </p>
      )}
      {error && <p className="field-error" role="alert">{error}</p>}
    </div>
  );
}
