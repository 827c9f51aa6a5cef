import { useId } from "react";
import { InfoTip } from "./InfoTip";
import { human } from "../lib/format";
import {
  displayWeights,
  formatPercent,
  setAccuracy,
  setComponentShare,
  setHealthOverall,
  type WeightState,
} from "../lib/weights";

export const METRIC_COLORS: Record<string, string> = {
  neuron_utilization: "#7c3aed",
  parameter_efficiency: "#db2777",
  training_stability: "#ea580c",
  gradient_health: "#ca8a04",
  convergence_quality: "#0891b2",
  accuracy_consistency: "#4f46e5",
  calibration: "#16a34a",
  robustness: "#b91c1c",
};
const ACCURACY_COLOR = "#0f766e";

interface Props {
  state: WeightState;
  onChange: (state: WeightState) => void;
  /** what each health metric measures, from /api/default-scoring-weights */
  descriptions: Record<string, string>;
  disabled?: boolean;
  disabledReason?: string;
}

/**
 * Three tiers: accuracy vs health overall (sum 100%); health overall split into eight metrics whose
 * weights always add up to it. The displayed numbers always sum to exactly 100.0%.
 */
export function WeightSliders({ state, onChange, descriptions, disabled = false, disabledReason }: Props) {
  const id = useId();
  const shown = displayWeights(state);
  const names = Object.keys(state.proportions);
  return (
    <div className="sliders" aria-describedby={disabled && disabledReason ? `${id}-why` : undefined}>
      <div
        className="stack-bar"
        role="img"
        aria-label={`Score = ${formatPercent(shown.accuracy)}% accuracy + ${names
          .map((n) => `${formatPercent(shown.components[n] ?? 0)}% ${human(n)}`)
          .join(" + ")}`}
      >
        <span style={{ width: `${shown.accuracy}%`, background: ACCURACY_COLOR }} title={`accuracy ${formatPercent(shown.accuracy)}%`} />
        {names.map((n) => (
          <span
            key={n}
            style={{ width: `${shown.components[n] ?? 0}%`, background: METRIC_COLORS[n] ?? "#888" }}
            title={`${human(n)} ${formatPercent(shown.components[n] ?? 0)}%`}
          />
        ))}
      </div>
      {disabled && disabledReason && (
        <p className="muted small" id={`${id}-why`}>
          {disabledReason}
        </p>
      )}
      <SliderRow
        id={`${id}-accuracy`}
        label="Accuracy weight"
        help="How much validation accuracy counts in a trial's score."
        value={state.accuracy}
        display={`${formatPercent(shown.accuracy)}%`}
        onChange={(v) => onChange(setAccuracy(state, v))}
        disabled={disabled}
        color={ACCURACY_COLOR}
      />
      <SliderRow
        id={`${id}-health`}
        label="Health overall weight"
        help="How much the network's health counts; the eight metrics below split it between them."
        value={state.health}
        display={`${formatPercent(shown.health)}%`}
        onChange={(v) => onChange(setHealthOverall(state, v))}
        disabled={disabled}
      />
      <div className="sliders slider-sub" role="group" aria-label="Health sub-components (share of the health weight)">
        {names.map((name) => (
          <SliderRow
            key={name}
            id={`${id}-${name}`}
            label={human(name)}
            help={descriptions[name] ?? ""}
            value={100 * (state.proportions[name] ?? 0)}
            display={`${formatPercent(shown.components[name] ?? 0)}%`}
            detail={`${formatPercent(shown.shares[name] ?? 0)}% of health`}
            onChange={(v) => onChange(setComponentShare(state, name, v))}
            disabled={disabled || state.health <= 0}
            color={METRIC_COLORS[name]}
          />
        ))}
      </div>
      <p className="muted small" aria-live="polite">
        Total: {formatPercent(shown.accuracy)}% accuracy + {formatPercent(shown.health)}% health = 100.0%
      </p>
    </div>
  );
}

interface RowProps {
  id: string;
  label: string;
  help: string;
  value: number;
  display: string;
  detail?: string;
  onChange: (value: number) => void;
  disabled: boolean;
  color?: string | undefined;
}

function SliderRow({ id, label, help, value, display, detail, onChange, disabled, color }: RowProps) {
  return (
    <div className="slider-row">
      <div className="field-label">
        {color && <span className="legend-swatch" style={{ background: color }} aria-hidden="true" />}
        <label htmlFor={id}>{label}</label>
        <InfoTip label={label}>{help}</InfoTip>
        {detail && <span className="muted small">({detail})</span>}
      </div>
      <input
        id={id}
        type="range"
        min={0}
        max={100}
        step={0.5}
        value={Math.round(value * 2) / 2}
        disabled={disabled}
        aria-valuetext={`${display}${detail ? `, ${detail}` : ""}`}
        data-testid={`slider-${id.split("-").pop()}`}
        onChange={(event) => onChange(Number(event.target.value))}
      />
      <output htmlFor={id} className="slider-value" data-testid={`value-${id.split("-").pop()}`}>
        {display}
      </output>
    </div>
  );
}
