import { useEffect, useMemo, useState, type FormEvent } from "react";
import { useNavigate } from "react-router-dom";
import { ApiError, type Dataset, type OptimizationRequest } from "../api/client";
import { useChoices, useDatasetCheck, useDatasets, useOpenApiSchema, useSearchSpace, useSubmit } from "../api/hooks";
import { ErrorState } from "../components/ErrorState";
import { FormField } from "../components/FormField";
import { InfoTip } from "../components/InfoTip";
import { OwnDataset } from "../components/OwnDataset";
import { DatasetChoices } from "../components/DatasetChoices";
import { DatasetUpload } from "../components/DatasetUpload";
import { CardSkeleton, Skeleton } from "../components/Skeleton";
import { SearchSpaceOverrides, overrideErrors, overrideProblems, overridesToRequest, type Overrides } from "../components/SearchSpaceOverrides";
import { WeightSliders } from "../components/WeightSliders";
import { choiceText, MODE_TITLES } from "../lib/choices";
import { defaultText, parseValue, requestFields, validateValue, type FieldSpec } from "../lib/requestSchema";
import { useScoringDefaults } from "../lib/useScoringDefaults";
import { fromWeights, simpleModeWeights, toRequestWeights, type WeightState } from "../lib/weights";

const ARCHITECTURE_HELP: Record<string, string> = {
  cnn: "CNN: stacked convolution blocks that learn local image patterns (edges, strokes), then dense layers that classify.",
  lstm: "LSTM: an embedding turns words into vectors and recurrent layers read the text in order, remembering what matters.",
};

const BASIC = ["trials", "max_epochs_per_trial", "batch_size", "validation_split"];
const EXECUTION = ["executor", "concurrent_workers", "plot_mode", "pruner", "sampler"];
const ADVANCED = [
  "run_name",
  "objective",
  "class_weight",
  "seed",
  "timeout_hours",
  "early_stopping_patience",
  "max_samples",
  "health_monitoring_frequency",
  "health_pruning",
  "health_prune_dormant_share",
  "health_prune_after_epoch",
  "tensorboard",
  "max_model_mflops",
  "max_consecutive_failures",
];
const TEXT_ONLY = ["vocab_size", "sequence_length"];
const FORM_FIELDS = [...BASIC, ...EXECUTION, ...ADVANCED, ...TEXT_ONLY];

type Values = Record<string, string | boolean>;

export function NewOptimizationPage() {
  const navigate = useNavigate();
  const schemaQuery = useOpenApiSchema();
  const datasets = useDatasets();
  const searchSpace = useSearchSpace();
  const scoring = useScoringDefaults();
  const choices = useChoices();
  const submit = useSubmit();

  const fields = useMemo(() => (schemaQuery.data ? requestFields(schemaQuery.data.schema) : null), [schemaQuery.data]);
  const [values, setValues] = useState<Values | null>(null);
  const [dataset, setDataset] = useState<string>("");
  const [own, setOwn] = useState(false); // the user's own data: an upload, or images:, texts:, csv: or npz:PATH
  const [ownName, setOwnName] = useState("");
  const [checkedName, setCheckedName] = useState("");
  const [mode, setMode] = useState<string>("");
  const [weights, setWeights] = useState<WeightState | null>(null);
  const [overrides, setOverrides] = useState<Overrides>({});
  const [serverErrors, setServerErrors] = useState<Record<string, string>>({});
  const [touched, setTouched] = useState<Record<string, boolean>>({});
  const [spaceOpen, setSpaceOpen] = useState(false);

  // defaults from the schema, once it is known
  useEffect(() => {
    if (!fields || values) return;
    const initial: Values = {};
    for (const name of FORM_FIELDS) if (fields[name]) initial[name] = defaultText(fields[name]);
    setValues(initial);
    setDataset(String(fields.dataset_name?.default ?? "digits"));
    setMode(String(fields.mode?.default ?? "health"));
  }, [fields, values]);

  // default weights (server's, or built-in with a notice) and again whenever the mode changes
  useEffect(() => {
    if (!mode || scoring.loading) return;
    setWeights(mode === "simple" ? simpleModeWeights(scoring.weights) : fromWeights(scoring.weights));
  }, [mode, scoring.loading, scoring.weights]);

  // ask the server about the user's own dataset once typing pauses
  useEffect(() => {
    const timer = setTimeout(() => setCheckedName(ownName.trim()), 350);
    return () => clearTimeout(timer);
  }, [ownName]);
  const ownCheck = useDatasetCheck(own ? checkedName : "");

  const selected: Dataset | undefined = own ? undefined : datasets.data?.find((d) => d.name === dataset);
  const ownValid = own && ownCheck.data?.valid && ownCheck.data.name === ownName.trim() ? ownCheck.data : undefined;
  const architecture = own ? (ownValid?.architecture ?? undefined) : selected?.architecture;
  const datasetKind = own ? ownValid?.kind : selected?.kind;
  const datasetName = own ? ownName.trim() : dataset;

  if (schemaQuery.isPending || !fields || !values) {
    return (
      <div className="grid">
        <h1>New optimization</h1>
        <CardSkeleton lines={4} />
        <CardSkeleton lines={6} />
      </div>
    );
  }

  const clientErrors: Record<string, string> = {};
  for (const name of FORM_FIELDS) {
    const spec = fields[name];
    const value = values[name];
    if (spec && value !== undefined) {
      const problem = validateValue(spec, value);
      if (problem) clientErrors[name] = problem;
    }
  }
  const shownParams = new Set((searchSpace.data ?? []).filter((p) => !architecture || p.architectures.includes(architecture)).map((p) => p.name));
  // only the parameters on show: an override of the other architecture's parameter is not used
  const spaceProblems = overrideProblems((searchSpace.data ?? []).filter((p) => shownParams.has(p.name)), overrides);
  const spaceErrors = { ...(touched._submit ? spaceProblems : {}), ...overrideErrors(serverErrors) };
  const errorFor = (name: string): string | undefined =>
    (touched[name] || touched._submit ? clientErrors[name] : undefined) ?? serverErrors[name];

  const setValue = (name: string, value: string | boolean) => {
    setValues((old) => ({ ...(old ?? {}), [name]: value }));
    setTouched((old) => ({ ...old, [name]: true }));
    setServerErrors((old) => {
      const { [name]: _dropped, ...rest } = old;
      return rest;
    });
  };

  const field = (name: string, extra: Partial<Parameters<typeof FormField>[0]> = {}) => {
    const spec: FieldSpec | undefined = fields[name];
    if (!spec) return null; // the server no longer has this field
    return <FormField key={name} spec={spec} value={values[name] ?? ""} onChange={(v) => setValue(name, v)} error={errorFor(name)} {...extra} />;
  };

  const onSubmit = async (event: FormEvent) => {
    event.preventDefault();
    setTouched((old) => ({ ...old, _submit: true }));
    if (Object.keys(clientErrors).length) {
      const first = Object.keys(clientErrors)[0];
      document.getElementById(`field-${first}`)?.focus();
      return;
    }
    const firstSpaceProblem = Object.keys(spaceProblems)[0];
    if (firstSpaceProblem) {
      setSpaceOpen(true);
      setTimeout(() => document.getElementById(`override-${firstSpaceProblem}`)?.focus(), 0);
      return;
    }
    if (own && !datasetName) {
      setServerErrors((old) => ({ ...old, dataset_name: "upload a file, or enter images:PATH, texts:PATH, csv:PATH or npz:PATH (a path on the server's machine)" }));
      document.getElementById("field-dataset_name")?.focus();
      return;
    }
    const body: Record<string, unknown> = { dataset_name: datasetName, mode };
    for (const name of FORM_FIELDS) {
      const spec = fields[name];
      const value = values[name];
      if (!spec || value === undefined) continue;
      if (TEXT_ONLY.includes(name) && datasetKind !== "text") continue;
      const parsed = parseValue(spec, value);
      if (parsed !== undefined) body[name] = parsed;
    }
    if (mode !== "simple" && weights) body.weights = toRequestWeights(weights);
    const space = overridesToRequest(searchSpace.data ?? [], overrides);
    if (Object.keys(space).length) body.search_space_overrides = space;
    try {
      const job = await submit.mutateAsync(body as OptimizationRequest);
      navigate(`/jobs/${job.id}`);
    } catch (error) {
      if (error instanceof ApiError) {
        const errors = error.fieldErrors();
        if (typeof error.detail === "string") errors._ = error.detail;
        if (error.status === 409) errors.run_name = error.message;
        setServerErrors(errors);
        const named = Object.keys(overrideErrors(errors));
        if (named.length || errors.search_space_overrides) {
          // open the search space and go to the parameter the server refused
          setSpaceOpen(true);
          setTimeout(() => document.getElementById(`override-${named[0] ?? ""}`)?.focus(), 0);
        }
      } else {
        setServerErrors({ _: String(error) });
      }
    }
  };

  const generalErrors = Object.entries(serverErrors).filter(
    ([key]) => !FORM_FIELDS.includes(key) && key !== "dataset_name" && !key.startsWith("weights") && !key.startsWith("search_space_overrides"),
  );
  const weightError = Object.entries(serverErrors)
    .filter(([key]) => key.startsWith("weights"))
    .map(([, msg]) => msg)
    .join("; ");

  return (
    <form onSubmit={onSubmit} noValidate aria-labelledby="new-title">
      <div className="page-head">
        <div>
          <h1 id="new-title">New optimization</h1>
          <p className="sub">
            Pick a dataset, say how long to search, and how to score a network. healthtune trains every trial, checks
            its health, and hands back the best model with its plots.
          </p>
        </div>
      </div>
      {!schemaQuery.data?.live && (
        <div className="notice info" role="status">
          The server&apos;s schema could not be read; the form uses the defaults this UI was built with.
        </div>
      )}

      <section className="card section" aria-labelledby="dataset-title">
        <h2 id="dataset-title">Dataset</h2>
        {datasets.isPending && <Skeleton height={70} count={2} />}
        {datasets.isError && <ErrorState error={datasets.error} retry={() => void datasets.refetch()} title="Could not load the datasets" />}
        {datasets.data && (
          <DatasetChoices
            datasets={datasets.data}
            selected={own ? null : dataset}
            onPick={(name) => {
              setDataset(name);
              setOwn(false);
            }}
            onOwn={() => setOwn(true)}
          />
        )}
        {own && (
          <DatasetUpload
            selected={ownName.trim()}
            onUse={(upload) => {
              setOwnName(upload.dataset_name);
              setServerErrors(({ dataset_name: _dropped, ...rest }) => rest);
            }}
          />
        )}
        {own && (
          <OwnDataset
            value={ownName}
            onChange={(v) => {
              setOwnName(v);
              setServerErrors(({ dataset_name: _dropped, ...rest }) => rest);
            }}
            checking={ownCheck.isFetching || checkedName !== ownName.trim()}
            check={ownCheck.data && ownCheck.data.name === ownName.trim() ? ownCheck.data : undefined}
            error={serverErrors.dataset_name}
          />
        )}
        {!own && serverErrors.dataset_name && <p className="field-error" role="alert">{serverErrors.dataset_name}</p>}
        {architecture && (
          <p className="muted small" style={{ marginTop: "0.75rem" }}>
            <strong>Architecture searched:</strong> {ARCHITECTURE_HELP[architecture] ?? architecture}
          </p>
        )}
      </section>

      <section className="card section" aria-labelledby="budget-title">
        <h2 id="budget-title">Search budget and training</h2>
        <div className="form-grid">{BASIC.map((name) => field(name))}</div>
        <h3 style={{ marginTop: "1rem" }}>Where and how trials run</h3>
        <div className="form-grid">
          {field("executor", { hint: fields.executor?.optionsHelp, choices: choices.data?.executor })}
          {field("concurrent_workers")}
          {field("plot_mode", { hint: fields.plot_mode?.optionsHelp, choices: choices.data?.plot_mode })}
          {field("pruner", { hint: fields.pruner?.optionsHelp, choices: choices.data?.pruner })}
          {field("sampler", { hint: fields.sampler?.optionsHelp, choices: choices.data?.sampler })}
        </div>
      </section>

      <section className="card section" aria-labelledby="mode-title">
        <h2 id="mode-title">How trials are scored</h2>
        <div className="choices" role="radiogroup" aria-label="Scoring mode">
          {(fields.mode?.options ?? Object.keys(MODE_TITLES)).map((m) => (
            <label key={m} className="choice">
              <input type="radio" name="mode" value={m} checked={mode === m} onChange={() => setMode(m)} />
              <span className="choice-title">{MODE_TITLES[m] ?? m}</span>
              <span className="choice-body" data-testid={`mode-help-${m}`}>
                {choiceText(choices.data, "mode", m) || (choices.isPending ? "…" : fields.mode?.optionsHelp)}
              </span>
            </label>
          ))}
        </div>
        <h3 style={{ marginTop: "1rem" }}>
          Scoring weights{" "}
          <InfoTip label="scoring weights">
            score = accuracy weight × validation accuracy + health weight × health; health = the eight metrics below, each
            with its share. Switching modes restores the defaults.
          </InfoTip>
        </h3>
        {scoring.fallback && (
          <div className="notice" role="status" data-testid="weights-fallback">
            The server&apos;s default weights could not be loaded; showing healthtune&apos;s built-in defaults.{" "}
            <button type="button" onClick={scoring.retry}>
              Retry
            </button>
          </div>
        )}
        {weights ? (
          <WeightSliders
            state={weights}
            onChange={setWeights}
            descriptions={scoring.descriptions}
            disabled={mode === "simple"}
            disabledReason="Simple mode scores accuracy only (100% / 0%); pick health-aware or Pareto to weigh health."
          />
        ) : (
          <Skeleton height={28} count={8} />
        )}
        {weightError && <p className="field-error" role="alert">{weightError}</p>}
      </section>

      <section className="card section">
        <details open={spaceOpen} onToggle={(e) => setSpaceOpen(e.currentTarget.open)}>
          <summary>Search space (optional): fix or narrow parameters</summary>
          <p className="muted small">
            By default every parameter below is searched over its whole range. Fix one to a value or narrow it to search
            less.
          </p>
          {serverErrors.search_space_overrides && <p className="field-error" role="alert">{serverErrors.search_space_overrides}</p>}
          {Object.entries(overrideErrors(serverErrors))
            .filter(([name]) => !shownParams.has(name))
            .map(([name, message]) => (
              <p key={name} className="field-error" role="alert">
                {message}
              </p>
            ))}
          {searchSpace.isPending && <Skeleton count={6} />}
          {searchSpace.isError && <ErrorState error={searchSpace.error} retry={() => void searchSpace.refetch()} />}
          {searchSpace.data && (
            <SearchSpaceOverrides
              params={searchSpace.data}
              architecture={architecture}
              overrides={overrides}
              onChange={(next) => {
                setOverrides(next);
                // a changed parameter's server message no longer applies
                setServerErrors((old) =>
                  Object.fromEntries(
                    Object.entries(old).filter(([key]) => {
                      const [head, name] = key.split(".", 2);
                      return head !== "search_space_overrides" || !name || next[name] === overrides[name];
                    }),
                  ),
                );
              }}
              errors={spaceErrors}
            />
          )}
        </details>
      </section>

      <section className="card section">
        <details>
          <summary>Advanced settings</summary>
          <div className="form-grid" style={{ marginTop: "0.75rem" }}>
            {ADVANCED.map((name) =>
              field(name, name === "health_pruning" ? { emptyLabel: mode === "health" ? "default (on in health mode)" : "default (off)" } : {}),
            )}
            {datasetKind === "text" && TEXT_ONLY.map((name) => field(name))}
          </div>
        </details>
      </section>

      {generalErrors.length > 0 && (
        <div className="notice error" role="alert">
          {generalErrors.map(([key, msg]) => (
            <div key={key}>{key === "_" ? msg : `${key}: ${msg}`}</div>
          ))}
        </div>
      )}
      <div className="row" style={{ justifyContent: "flex-end" }}>
        <button type="submit" className="primary" disabled={submit.isPending || (!own && !dataset)} data-testid="start">
          {submit.isPending ? "Starting…" : "Start optimization"}
        </button>
      </div>
    </form>
  );
}
