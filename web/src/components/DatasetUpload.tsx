import { useRef, useState, type DragEvent } from "react";
import { useQueryClient } from "@tanstack/react-query";
import { ApiError } from "../api/client";
import { keys, useDeleteUpload, useServerHealth, useUploads } from "../api/hooks";
import { formatBytes, UPLOAD_SUFFIXES, uploadDataset, uploadProblem, type Upload } from "../api/upload";
import { ConfirmDeleteButton } from "./ConfirmDeleteButton";
import { InfoTip } from "./InfoTip";

interface Sending {
  name: string;
  sent: number;
  abort: AbortController;
}

function describe(upload: Upload): string {
  const kind = upload.kind === "image" ? "images" : "texts";
  const classes = upload.classes.length ? `, ${upload.classes.length} classes` : "";
  return `${upload.examples.toLocaleString()} ${kind}${classes}, ${formatBytes(upload.size_bytes)}`;
}

/** The uploaded datasets: the one in use is marked; each can be used or deleted. */
export function UploadList({
  uploads,
  selected,
  onUse,
  onDelete,
  deleting,
}: {
  uploads: Upload[];
  selected: string;
  onUse: (upload: Upload) => void;
  onDelete: (upload: Upload) => void;
  deleting: string | undefined;
}) {
  if (!uploads.length) return null;
  return (
    <ul className="uploads" data-testid="uploads" aria-label="Uploaded datasets">
      {uploads.map((upload) => {
        const inUse = upload.dataset_name === selected;
        return (
          <li key={upload.upload_id} className={inUse ? "upload in-use" : "upload"}>
            <div className="upload-body">
              <strong>{upload.filename}</strong>
              <span className="badge">{upload.kind === "image" ? "CNN" : "LSTM"}</span>
              <div className="muted small" title={upload.classes.join(", ")}>
                {describe(upload)}
                {upload.classes.length ? `: ${upload.classes.slice(0, 6).join(", ")}${upload.classes.length > 6 ? ", …" : ""}` : ""}
              </div>
            </div>
            <button type="button" onClick={() => onUse(upload)} aria-pressed={inUse} disabled={inUse}>
              {inUse ? "In use" : "Use"}
            </button>
            <ConfirmDeleteButton
              onDelete={() => onDelete(upload)}
              pending={deleting === upload.upload_id}
              question={`Delete ${upload.filename} from the server?`}
            />
          </li>
        );
      })}
    </ul>
  );
}

/** Send a dataset file to the server (drop it or pick it), with progress; then train on it by name. */
export function DatasetUpload({ selected, onUse }: { selected: string; onUse: (upload: Upload) => void }) {
  const client = useQueryClient();
  const health = useServerHealth();
  const uploads = useUploads();
  const remove = useDeleteUpload();
  const input = useRef<HTMLInputElement>(null);
  const [sending, setSending] = useState<Sending | null>(null);
  const [problem, setProblem] = useState<string | null>(null);
  const [dragging, setDragging] = useState(false);
  const maxMb = health.data?.max_upload_mb;

  async function send(file: File | undefined) {
    if (!file || sending) return;
    const refused = uploadProblem(file, maxMb);
    setProblem(refused);
    if (refused) return;
    const abort = new AbortController();
    setSending({ name: file.name, sent: 0, abort });
    try {
      const upload = await uploadDataset(file, (sent) => setSending((s) => (s ? { ...s, sent } : s)), abort.signal);
      await client.invalidateQueries({ queryKey: keys.uploads });
      onUse(upload);
    } catch (error) {
      if (!(error instanceof DOMException && error.name === "AbortError")) {
        setProblem(`${file.name}: ${error instanceof ApiError ? error.message : String(error)}`);
      }
    } finally {
      setSending(null);
      if (input.current) input.current.value = "";
    }
  }

  function drop(event: DragEvent<HTMLDivElement>) {
    event.preventDefault();
    setDragging(false);
    void send(event.dataTransfer.files[0]);
  }

  return (
    <div className="field" style={{ marginTop: "0.75rem" }}>
      <div className="field-label">
        <span>Upload a dataset</span>
        <InfoTip label="uploading a dataset">
          A .zip (or .tar.gz) of an image folder: one sub-folder of pictures per class, named after the class,
          optionally inside train/ and test/ folders (else 20% of each class is held out for testing); or the same
          with .txt files, one text each, instead of pictures. Or a CSV with
          label and text columns (a zip may hold train.csv and test.csv), or an .npz saved with np.savez(path,
          x_train=..., y_train=...). The server checks it and keeps it until you delete it.
        </InfoTip>
      </div>
      <div
        className={dragging ? "dropzone dragging" : "dropzone"}
        onDragOver={(event) => {
          event.preventDefault();
          setDragging(true);
        }}
        onDragLeave={() => setDragging(false)}
        onDrop={drop}
        data-testid="upload-drop"
      >
        {sending ? (
          <div className="row" role="status">
            <progress value={sending.sent} max={1} aria-label={`Uploading ${sending.name}`} />
            <span className="small">
              {sending.sent < 1 ? `Uploading ${sending.name}: ${Math.round(sending.sent * 100)}%` : `Checking ${sending.name}…`}
            </span>
            <button type="button" onClick={() => sending.abort.abort()}>
              Cancel
            </button>
          </div>
        ) : (
          <span className="small">
            Drop a file here or{" "}
            <button type="button" onClick={() => input.current?.click()} data-testid="upload-choose">
              choose a file
            </button>{" "}
            ({UPLOAD_SUFFIXES.join(", ")}{maxMb ? `; up to ${maxMb} MB` : ""})
          </span>
        )}
        <input
          ref={input}
          type="file"
          accept={UPLOAD_SUFFIXES.join(",")}
          hidden
          onChange={(event) => void send(event.target.files?.[0])}
          data-testid="upload-input"
        />
      </div>
      {problem && (
        <p className="field-error" role="alert" data-testid="upload-error">
          {problem}
        </p>
      )}
      {remove.error && (
        <p className="field-error" role="alert">
          {remove.error.message}
        </p>
      )}
      <UploadList
        uploads={uploads.data ?? []}
        selected={selected}
        onUse={onUse}
        onDelete={(upload) => remove.mutate(upload.upload_id)}
        deleting={remove.isPending ? remove.variables : undefined}
      />
    </div>
  );
}
