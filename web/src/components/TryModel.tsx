import { useState } from "react";
import type { PredictOut } from "../api/client";
import { usePredict, usePredictorInfo } from "../api/hooks";
import { ErrorState } from "./ErrorState";
import { InfoTip } from "./InfoTip";

const MAX_IMAGES = 32;
const MAX_TEXTS = 64;

interface Input {
  label: string;
  image?: string; // a data: URL, shown next to its prediction
}

function readAsDataUrl(file: File): Promise<string> {
  return new Promise((resolve, reject) => {
    const reader = new FileReader();
    reader.onload = () => resolve(String(reader.result));
    reader.onerror = () => reject(reader.error ?? new Error(`cannot read ${file.name}`));
    reader.readAsDataURL(file);
  });
}

/** Each input with its most likely classes as labelled bars. */
export function PredictionList({ inputs, result }: { inputs: Input[]; result: PredictOut }) {
  return (
    <ol className="predictions" data-testid="predictions">
      {result.predictions.map((prediction) => {
        const input = inputs[prediction.index];
        return (
          <li key={prediction.index} className="prediction">
            {input?.image ? <img src={input.image} alt={input.label} className="prediction-image" /> : null}
            <div className="prediction-body">
              <div className="prediction-input" title={input?.label}>
                {input?.label}
              </div>
              {prediction.top.map((entry, rank) => (
                <div key={entry.label} className={rank === 0 ? "prediction-class top" : "prediction-class"}>
                  <span className="prediction-label">{entry.label}</span>
                  <span className="prediction-bar" aria-hidden="true">
                    <span style={{ width: `${Math.max(1, entry.probability * 100)}%` }} />
                  </span>
                  <span className="prediction-probability">{(entry.probability * 100).toFixed(1)}%</span>
                </div>
              ))}
            </div>
          </li>
        );
      })}
    </ol>
  );
}

/** "Try the model": classify images or texts with the job's best model, prepared as in training. */
export function TryModel({ jobId }: { jobId: string }) {
  const info = usePredictorInfo(jobId, true);
  const predict = usePredict(jobId);
  const [texts, setTexts] = useState("");
  const [inputs, setInputs] = useState<Input[]>([]);
  const [problem, setProblem] = useState<string | null>(null);

  if (info.isError) return <ErrorState error={info.error} retry={() => void info.refetch()} title="Could not load the model's classes" />;
  if (!info.data) return <p className="muted small">{info.isPending ? "Loading…" : "No model to try: none of the trials finished."}</p>;
  const isImage = info.data.kind === "image";
  const [height, width, channels] = info.data.input_shape;

  const classify = (items: Input[], body: { images?: string[]; texts?: string[] }) => {
    setInputs(items);
    predict.mutate({ ...body, top: 3 });
  };
  const onFiles = async (files: FileList | null) => {
    setProblem(null);
    const chosen = Array.from(files ?? []).slice(0, MAX_IMAGES);
    if (chosen.length === 0) return;
    try {
      const urls = await Promise.all(chosen.map(readAsDataUrl));
      classify(chosen.map((file, i) => ({ label: file.name, image: urls[i] })), { images: urls });
    } catch (error) {
      setProblem(String(error));
    }
  };
  const onTexts = () => {
    const lines = texts.split("\n").map((line) => line.trim()).filter(Boolean).slice(0, MAX_TEXTS);
    if (lines.length === 0) {
      setProblem("type at least one text, one per line");
      return;
    }
    setProblem(null);
    classify(lines.map((line) => ({ label: line })), { texts: lines });
  };

  return (
    <div className="try-model">
      <p className="small muted">
        {isImage
          ? `Choose images of any size: each is converted to ${channels === 1 ? "grayscale" : "RGB"}, resized to ${width}×${height} and scaled to [0, 1], exactly as the training images were.`
          : "Type texts, one per line: each is lowercased, split into words, looked up in the run's vocabulary and padded, exactly as the training texts were."}{" "}
        <InfoTip label="trying the model">
          The server runs the optimized model on your inputs and shows its three most likely of {info.data.class_names.length} classes with their
          probabilities. Nothing is stored. From Python: healthtune.load_predictor(run_dir).predict(...); from the command line: healthtune
          predict RUN INPUT...
        </InfoTip>
      </p>
      {isImage ? (
        <label className="button" style={{ display: "inline-block" }}>
          Choose images…
          <input
            type="file"
            accept="image/*"
            multiple
            data-testid="try-images"
            style={{ position: "absolute", opacity: 0, width: 1, height: 1 }}
            onChange={(e) => void onFiles(e.target.files)}
          />
        </label>
      ) : (
        <div className="field">
          <label htmlFor="try-texts" className="field-label">
            Texts, one per line
          </label>
          <textarea id="try-texts" rows={4} value={texts} onChange={(e) => setTexts(e.target.value)} data-testid="try-texts" />
          <div className="row" style={{ marginTop: "0.5rem" }}>
            <button type="button" className="primary" onClick={onTexts} disabled={predict.isPending}>
              Classify
            </button>
          </div>
        </div>
      )}
      {predict.isPending && <p className="small muted">Classifying… (the first time loads the model)</p>}
      {(problem || predict.isError) && (
        <p className="field-error" role="alert" data-testid="try-error">
          {problem ?? (predict.error instanceof Error ? predict.error.message : String(predict.error))}
        </p>
      )}
      {predict.data && !predict.isPending && <PredictionList inputs={inputs} result={predict.data} />}
    </div>
  );
}
