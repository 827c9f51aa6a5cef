import type { SearchParam } from "../api/client";
import { human } from "../lib/format";

/** How the user wants a parameter searched: the full range, one fixed value, or a narrower range/choices. */
export type Override =
  | { how: "search" }
  | { how: "fix"; value: string }
  | { how: "range"; low: string; high: string }
  | { how: "choices"; choices: string[] };

export type Overrides = Record<string, Override>;

interface Props {
  params: SearchParam[];
  architecture: string | undefined;
  overrides: Overrides;
  onChange: (overrides: Overrides) => void;
  errors: Record<string, string>;
}

/** Numbers the model accepts for this parameter (an override may leave the searched range), or null. */
function limits(param: SearchParam): { low: number; high: number; integer: boolean } | null {
  if (param.allowed_low == null || param.allowed_high == null) return null;
  const integer = param.kind === "int" || (param.kind === "categorical" && (param.choices ?? []).every((c) => Number.isInteger(c)));
  return { low: param.allowed_low, high: param.allowed_high, integer };
}

/** Every value an override may pick for a named-choice parameter (more than the search tries, e.g. elu). */
function pickable(param: SearchParam): string[] {
  const all = param.allowed_choices?.length ? param.allowed_choices : (param.choices ?? []);
  return all.map(String);
}

function typed(param: SearchParam, text: string): unknown {
  const match = [...(param.choices ?? []), ...(param.allowed_choices ?? [])].find((c) => String(c) === text);
  if (match !== undefined) return match;
  if (param.kind === "categorical" && !limits(param)) return text;
  const n = Number(text);
  return limits(param)?.integer ? Math.round(n) : n;
}

function outside(param: SearchParam, text: string): string | null {
  const bounds = limits(param);
  if (!bounds) return null;
  const n = Number(text);
  if (!Number.isFinite(n) || n < bounds.low || n > bounds.high) return `use a number from ${bounds.low} to ${bounds.high}`;
  if (bounds.integer && !Number.isInteger(n)) return "use a whole number";
  return null;
}

/** The request's `search_space_overrides` from the UI state (parameters left on "search" are left out). */
export function overridesToRequest(params: SearchParam[], overrides: Overrides): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const param of params) {
    const o = overrides[param.name];
    if (!o || o.how === "search") continue;
    if (o.how === "fix" && o.value !== "") out[param.name] = typed(param, o.value);
    if (o.how === "range" && o.low !== "" && o.high !== "") out[param.name] = { low: typed(param, o.low), high: typed(param, o.high) };
    if (o.how === "choices" && o.choices.length) out[param.name] = { choices: o.choices.map((c) => typed(param, c)) };
  }
  return out;
}

/**
 * What is wrong with the user's overrides, per parameter (empty when nothing): an override that would be left out
 * of the request (no value, no choice) or that the server refuses (low above high) is flagged before submitting.
 */
export function overrideProblems(params: SearchParam[], overrides: Overrides): Record<string, string> {
  const out: Record<string, string> = {};
  for (const param of params) {
    const o = overrides[param.name];
    if (!o || o.how === "search") continue;
    if (o.how === "fix") {
      if (o.value.trim() === "") out[param.name] = "enter a value, or search the full range";
      else if (!pickable(param).includes(o.value)) {
        const problem = outside(param, o.value);
        if (problem) out[param.name] = problem;
      }
    }
    if (o.how === "range") {
      const problem = outside(param, o.low) ?? outside(param, o.high);
      if (o.low.trim() === "" || o.high.trim() === "") out[param.name] = "enter both ends of the range";
      else if (problem) out[param.name] = problem;
      else if (Number(o.low) > Number(o.high)) out[param.name] = "the low end must not be above the high end";
    }
    if (o.how === "choices" && o.choices.length === 0) out[param.name] = "pick at least one choice, or search the full range";
  }
  return out;
}

/**
 * Map a 422 on search_space_overrides to the parameter it names: FastAPI puts the parameter in the error's
 * location (key "search_space_overrides.conv_blocks"); older servers only named it in the message.
 */
export function overrideErrors(errors: Record<string, string>): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [key, message] of Object.entries(errors)) {
    const [head, name] = key.split(".", 2);
    if (head !== "search_space_overrides") continue;
    if (name) {
      out[name] = message;
      continue;
    }
    const match = /\['([A-Za-z0-9_]+)'\]|parameter '([A-Za-z0-9_]+)'/.exec(message);
    const named = match?.[1] ?? match?.[2];
    if (named) out[named] = message;
  }
  return out;
}

/** What an override may use when it is more than the search tries. */
function allowedText(param: SearchParam): string | null {
  const bounds = limits(param);
  if (bounds) return `${bounds.low} – ${bounds.high}`;
  const searched = (param.choices ?? []).map(String);
  const all = pickable(param);
  return all.length > searched.length ? all.join(", ") : null;
}

function rangeText(param: SearchParam): string {
  if (param.kind === "categorical") return (param.choices ?? []).map(String).join(", ");
  return `${param.low} – ${param.high}${param.log ? " (log scale)" : ""}`;
}

/** Every searchable parameter of the architecture, with its explanation, and a way to fix or narrow it. */
export function SearchSpaceOverrides({ params, architecture, overrides, onChange, errors }: Props) {
  const shown = params.filter((p) => !architecture || p.architectures.includes(architecture));
  const set = (name: string, value: Override) => onChange({ ...overrides, [name]: value });
  return (
    <div className="table-wrap">
      <table>
        <caption className="visually-hidden">Search space</caption>
        <thead>
          <tr>
            <th scope="col">Parameter</th>
            <th scope="col">Searched over</th>
            <th scope="col">Your choice</th>
          </tr>
        </thead>
        <tbody>
          {shown.map((param) => {
            const o = overrides[param.name] ?? { how: "search" };
            const id = `override-${param.name}`;
            const error = errors[param.name];
            const bounds = limits(param);
            return (
              <tr key={param.name} style={{ verticalAlign: "top" }}>
                <td style={{ whiteSpace: "normal", minWidth: 200 }}>
                  <strong>{human(param.name)}</strong>
                  <div className="field-help">{param.description}</div>
                  {param.condition && (
                    <div className="field-help">only when {String(param.condition[0])} = {String(param.condition[1])}</div>
                  )}
                </td>
                <td className="small">
                  {rangeText(param)}
                  <div className="muted">default {String(param.default)}</div>
                  {allowedText(param) && <div className="muted">you may use {allowedText(param)}</div>}
                </td>
                <td style={{ whiteSpace: "normal", minWidth: 180 }}>
                  <label htmlFor={id} className="visually-hidden">
                    How to search {human(param.name)}
                  </label>
                  <select
                    id={id}
                    value={o.how}
                    onChange={(e) => {
                      const how = e.target.value as Override["how"];
                      if (how === "search") set(param.name, { how });
                      if (how === "fix") set(param.name, { how, value: String(param.default ?? "") });
                      if (how === "range") set(param.name, { how, low: String(param.low ?? ""), high: String(param.high ?? "") });
                      if (how === "choices") set(param.name, { how, choices: (param.choices ?? []).map(String) });
                    }}
                  >
                    <option value="search">search the full range</option>
                    <option value="fix">fix one value</option>
                    {param.kind === "categorical" ? <option value="choices">only some choices</option> : <option value="range">narrow the range</option>}
                  </select>
                  {o.how === "fix" &&
                    (!bounds ? (
                      <select aria-label={`${human(param.name)} value`} value={o.value} onChange={(e) => set(param.name, { how: "fix", value: e.target.value })}>
                        {pickable(param).map((c) => (
                          <option key={c} value={c}>
                            {c}
                          </option>
                        ))}
                      </select>
                    ) : (
                      <input
                        type="number"
                        min={bounds.low}
                        max={bounds.high}
                        step={bounds.integer ? 1 : "any"}
                        aria-label={`${human(param.name)} value`}
                        value={o.value}
                        onChange={(e) => set(param.name, { how: "fix", value: e.target.value })}
                      />
                    ))}
                  {o.how === "range" && (
                    <div className="row" style={{ flexWrap: "nowrap" }}>
                      <input type="number" min={bounds?.low} max={bounds?.high} step="any" aria-label={`${human(param.name)} low`} value={o.low} onChange={(e) => set(param.name, { ...o, low: e.target.value })} />
                      <span aria-hidden="true">–</span>
                      <input type="number" min={bounds?.low} max={bounds?.high} step="any" aria-label={`${human(param.name)} high`} value={o.high} onChange={(e) => set(param.name, { ...o, high: e.target.value })} />
                    </div>
                  )}
                  {o.how === "choices" && (
                    <div className="row" role="group" aria-label={`${human(param.name)} choices`}>
                      {(bounds ? (param.choices ?? []).map(String) : pickable(param)).map((value) => {
                        const checked = o.choices.includes(value);
                        return (
                          <label key={value} className="checkbox small">
                            <input
                              type="checkbox"
                              checked={checked}
                              onChange={() =>
                                set(param.name, {
                                  how: "choices",
                                  choices: checked ? o.choices.filter((x) => x !== value) : [...o.choices, value],
                                })
                              }
                            />
                            {value}
                          </label>
                        );
                      })}
                    </div>
                  )}
                  {error && (
                    <div className="field-error" role="alert">
                      {error}
                    </div>
                  )}
                </td>
              </tr>
            );
          })}
        </tbody>
      </table>
    </div>
  );
}
