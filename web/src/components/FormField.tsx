import { InfoTip } from "./InfoTip";
import type { FieldSpec } from "../lib/requestSchema";
import { human } from "../lib/format";

interface Props {
  spec: FieldSpec;
  value: string | boolean;
  onChange: (value: string | boolean) => void;
  error?: string | undefined;
  label?: string;
  /** extra words under the field (e.g. what the choices mean) */
  hint?: string;
  optionLabels?: Record<string, string>;
  /** label of the empty choice of a nullable enum/boolean ("default") */
  emptyLabel?: string;
  /** for an enum: what each value does (GET /api/choices); the chosen one is shown under the select */
  choices?: Record<string, string> | undefined;
}

/** One request field: input type, limits and help from the OpenAPI schema; the server's message inline. */
export function FormField({ spec, value, onChange, error, label, hint: givenHint, optionLabels, emptyLabel, choices }: Props) {
  const id = `field-${spec.name}`;
  const errorId = `${id}-error`;
  const helpId = `${id}-help`;
  const text = label ?? capitalize(human(spec.name));
  const explained = spec.kind === "enum" && choices && Object.keys(choices).length > 0;
  const chosen = explained && choices ? choices[String(value)] : undefined;
  const hint = chosen ? `${String(value)}: ${chosen}` : givenHint;
  const describedBy = [error ? errorId : null, hint ? helpId : null].filter(Boolean).join(" ") || undefined;
  let control;
  if (spec.kind === "boolean" && !spec.nullable) {
    return (
      <div className="field">
        <label className="checkbox" htmlFor={id}>
          <input id={id} name={spec.name} type="checkbox" checked={Boolean(value)} onChange={(e) => onChange(e.target.checked)} aria-describedby={describedBy} />
          {text}
          <InfoTip label={text}>{spec.description}</InfoTip>
        </label>
        {hint && <span className="field-help" id={helpId}>{hint}</span>}
        {error && <span className="field-error" id={errorId} role="alert">{error}</span>}
      </div>
    );
  }
  if (spec.kind === "enum" || (spec.kind === "boolean" && spec.nullable)) {
    const options = spec.kind === "boolean" ? ["true", "false"] : spec.options;
    control = (
      <select id={id} name={spec.name} value={String(value)} onChange={(e) => onChange(e.target.value)} aria-invalid={error ? true : undefined} aria-describedby={describedBy}>
        {spec.nullable && <option value="">{emptyLabel ?? "default"}</option>}
        {options.map((option) => (
          <option key={option} value={option}>
            {optionLabels?.[option] ?? (spec.kind === "boolean" ? (option === "true" ? "on" : "off") : option)}
          </option>
        ))}
      </select>
    );
  } else {
    const numeric = spec.kind === "integer" || spec.kind === "number";
    control = (
      <input
        id={id}
        name={spec.name}
        type={numeric ? "number" : "text"}
        inputMode={spec.kind === "integer" ? "numeric" : numeric ? "decimal" : undefined}
        step={spec.kind === "integer" ? 1 : numeric ? "any" : undefined}
        min={spec.minimum}
        max={spec.maximum}
        value={String(value)}
        placeholder={spec.default == null ? (spec.nullable ? "not set" : "") : String(spec.default)}
        onChange={(e) => onChange(e.target.value)}
        aria-invalid={error ? true : undefined}
        aria-describedby={describedBy}
      />
    );
  }
  return (
    <div className="field">
      <div className="field-label">
        <label htmlFor={id}>{text}</label>
        <InfoTip label={text}>
          {spec.description}
          {limits(spec)}
          {explained &&
            choices &&
            spec.options.map((option) => (
              <span key={option} className="tip-line">
                <strong>{option}</strong>: {choices[option] ?? ""}
              </span>
            ))}
        </InfoTip>
      </div>
      {control}
      {hint && (
        <span className="field-help" id={helpId} data-testid={`help-${spec.name}`}>
          {hint}
        </span>
      )}
      {error && (
        <span className="field-error" id={errorId} role="alert" data-testid={`error-${spec.name}`}>
          {error}
        </span>
      )}
    </div>
  );
}

function limits(spec: FieldSpec): string {
  const parts: string[] = [];
  if (spec.minimum != null) parts.push(`min ${spec.minimum}`);
  if (spec.exclusiveMinimum != null) parts.push(`> ${spec.exclusiveMinimum}`);
  if (spec.maximum != null) parts.push(`max ${spec.maximum}`);
  if (spec.exclusiveMaximum != null) parts.push(`< ${spec.exclusiveMaximum}`);
  if (spec.default != null) parts.push(`default ${String(spec.default)}`);
  return parts.length ? ` (${parts.join(", ")})` : "";
}

function capitalize(text: string): string {
  return text.charAt(0).toUpperCase() + text.slice(1);
}
