import { InfoTip } from "./InfoTip";

const SOURCES: Record<string, string> = { images: "an image folder", texts: "a text folder", csv: "a text CSV", npz: "numpy arrays" };

export interface OwnDatasetProps {
  value: string;
  onChange: (value: string) => void;
  checking: boolean;
  check: { valid: boolean; message?: string | null; source?: string | null; architecture?: string | null } | undefined;
  error: string | undefined;
}

/** The user's own dataset as images:, texts:, csv: or npz:PATH, checked by the server as it is typed. */
export function OwnDataset({ value, onChange, checking, check, error }: OwnDatasetProps) {
  const problem = error ?? (check && !check.valid ? (check.message ?? "not accepted") : undefined);
  const fill = (prefix: string) => onChange(value.replace(/^(images|texts|csv|npz):/, "").replace(/^/, prefix));
  return (
    <div className="field" style={{ marginTop: "0.75rem" }}>
      <div className="field-label">
        <label htmlFor="field-dataset_name">Your dataset</label>
        <InfoTip label="your dataset">
          images:PATH trains a CNN on a folder with one sub-folder of pictures per class (the sub-folder names are the
          labels). texts:PATH trains an LSTM on a folder with one sub-folder of .txt files per class (Keras&apos;
          text_dataset_from_directory layout). csv:PATH trains an LSTM on a CSV with a label and a text column. npz:PATH
          reads the arrays you
          would pass to model.fit, saved with np.savez(path, x_train=..., y_train=...) (x_test, y_test and
          class_names are optional): images train a CNN, texts or token ids an LSTM. Paths are read on the machine the
          server runs on.
        </InfoTip>
      </div>
      <div className="row">
        <input
          id="field-dataset_name"
          name="dataset_name"
          type="text"
          value={value}
          placeholder="images:/data/flowers, texts:/data/news, csv:/data/reviews.csv or npz:/data/arrays.npz"
          spellCheck={false}
          autoComplete="off"
          style={{ minWidth: 0, flex: "1 1 16rem" }}
          onChange={(e) => onChange(e.target.value)}
          aria-invalid={problem ? true : undefined}
          aria-describedby="field-dataset_name-status"
        />
        <button type="button" onClick={() => fill("images:")}>
          images:
        </button>
        <button type="button" onClick={() => fill("texts:")}>
          texts:
        </button>
        <button type="button" onClick={() => fill("csv:")}>
          csv:
        </button>
        <button type="button" onClick={() => fill("npz:")}>
          npz:
        </button>
      </div>
      <span id="field-dataset_name-status" aria-live="polite">
        {problem ? (
          <span className="field-error" role="alert" data-testid="error-dataset_name">
            {problem}
          </span>
        ) : checking && value.trim() ? (
          <span className="field-help">Checking with the server…</span>
        ) : check?.valid ? (
          <span className="field-help" data-testid="dataset-ok">
            ✓ {SOURCES[check.source ?? ""] ?? "a registry dataset"}:{" "}
            {check.architecture === "lstm" ? "LSTM" : "CNN"} architectures are searched.
          </span>
        ) : (
          <span className="field-help">
            Upload a file above, or type images:PATH, texts:PATH, csv:PATH or npz:PATH for data in a folder the server&apos;s
            operator allows (HEALTHTUNE_DATA_ROOTS).
          </span>
        )}
      </span>
    </div>
  );
}
