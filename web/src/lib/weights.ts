/**
 * Three-tier scoring weights and their auto-balancing, as pure functions (no React).
 *
 * Tier 1: accuracy weight + health overall weight = 100%.
 * Tier 2: changing the health overall weight rescales the eight sub-components proportionally.
 * Tier 3: changing one sub-component rescales the other seven proportionally, so that together they
 *         keep summing to the health overall weight.
 *
 * The state keeps the health *proportions* (shares of the health part, summing to 1), not the eight
 * absolute weights, so that nothing is lost at the extremes: at 0% health the proportions survive and
 * come back when health is raised again. Displayed values come from `displayWeights`, which rounds so
 * that the displayed percentages always sum to exactly 100 (largest-remainder rounding).
 */

export interface WeightState {
  /** accuracy weight, percent of the score, in [0, 100] */
  accuracy: number;
  /** health overall weight, percent of the score; always 100 - accuracy */
  health: number;
  /** share of the health part per metric, in [0, 1], summing to 1 (in the order of the defaults) */
  proportions: Record<string, number>;
}

/** The defaults of healthtune.core.scoring, used only when /api/default-scoring-weights cannot be reached. */
export const BUILTIN_DEFAULTS = {
  accuracy_weight: 0.7,
  health_overall_weight: 0.3,
  health_component_proportions: {
    neuron_utilization: 0.1,
    parameter_efficiency: 0.2,
    training_stability: 0,
    gradient_health: 0.05,
    convergence_quality: 0.1,
    accuracy_consistency: 0,
    calibration: 0.15,
    robustness: 0.4,
  } as Record<string, number>,
};

export interface WeightsLike {
  accuracy_weight: number;
  health_overall_weight: number;
  health_component_proportions: Record<string, number>;
}

const EPS = 1e-12;

function clamp(value: number, low: number, high: number): number {
  if (!Number.isFinite(value)) return low;
  return Math.min(high, Math.max(low, value));
}

/** Drop float noise (0.30000000000000004 -> 0.3) so rounding for display is stable. */
function clean(value: number): number {
  return Math.round(value * 1e9) / 1e9;
}

/** Proportions that sum to 1: scaled if they sum to anything positive, equal shares otherwise. */
export function normalizeProportions(proportions: Record<string, number>): Record<string, number> {
  const names = Object.keys(proportions);
  const values = names.map((n) => Math.max(0, proportions[n] ?? 0));
  const total = values.reduce((a, b) => a + b, 0);
  const out: Record<string, number> = {};
  names.forEach((name, i) => {
    out[name] = total > EPS ? (values[i] ?? 0) / total : 1 / names.length;
  });
  return out;
}

/** State from API-style weights (fractions of 1). */
export function fromWeights(weights: WeightsLike): WeightState {
  const total = weights.accuracy_weight + weights.health_overall_weight;
  const accuracy = total > EPS ? clean((100 * weights.accuracy_weight) / total) : 100;
  return {
    accuracy,
    health: clean(100 - accuracy),
    proportions: normalizeProportions(weights.health_component_proportions),
  };
}

/** Tier 1: set the accuracy weight; health becomes the rest. Proportions are kept. */
export function setAccuracy(state: WeightState, accuracy: number): WeightState {
  const a = clean(clamp(accuracy, 0, 100));
  return { ...state, accuracy: a, health: clean(100 - a) };
}

/** Tier 2: set the health overall weight; accuracy becomes the rest and the eight sub-components scale with it. */
export function setHealthOverall(state: WeightState, health: number): WeightState {
  const h = clean(clamp(health, 0, 100));
  return { ...state, health: h, accuracy: clean(100 - h) };
}

/**
 * Tier 3: set one sub-component's share of the health part (percent of health, 0..100); the other seven
 * are rescaled proportionally to fill the rest. If they were all 0, they share the rest equally.
 */
export function setComponentShare(state: WeightState, name: string, sharePercent: number): WeightState {
  if (!(name in state.proportions)) return state;
  const share = clamp(sharePercent, 0, 100) / 100;
  const others = Object.keys(state.proportions).filter((n) => n !== name);
  const othersTotal = others.reduce((sum, n) => sum + (state.proportions[n] ?? 0), 0);
  const rest = 1 - share;
  const proportions: Record<string, number> = { [name]: share };
  for (const other of others) {
    proportions[other] =
      othersTotal > EPS ? ((state.proportions[other] ?? 0) / othersTotal) * rest : rest / others.length;
  }
  // keep the original key order
  const ordered: Record<string, number> = {};
  for (const key of Object.keys(state.proportions)) ordered[key] = proportions[key] ?? 0;
  return { ...state, proportions: ordered };
}

/**
 * Tier 3, in points of the total score: set one sub-component's weight (0..health); the others rescale
 * so the eight keep summing to the health overall weight. With health at 0 nothing can change.
 */
export function setComponentWeight(state: WeightState, name: string, weightPercent: number): WeightState {
  if (state.health <= EPS) return state;
  const weight = clamp(weightPercent, 0, state.health);
  return setComponentShare(state, name, (100 * weight) / state.health);
}

/** Exact (unrounded) weights in percent of the score: accuracy, health, and each sub-component. */
export function exactWeights(state: WeightState): { accuracy: number; health: number; components: Record<string, number> } {
  const components: Record<string, number> = {};
  for (const [name, p] of Object.entries(state.proportions)) components[name] = state.health * p;
  return { accuracy: state.accuracy, health: state.health, components };
}

/**
 * Largest-remainder rounding: values rounded to `decimals` that sum to exactly `total`
 * (when the inputs sum to `total`). Ties go to the earlier value.
 */
export function roundToTotal(values: number[], total: number, decimals = 1): number[] {
  const scale = 10 ** decimals;
  const units = Math.round(total * scale);
  const scaled = values.map((v) => clean(Math.max(0, v) * scale));
  const floors = scaled.map((v) => Math.floor(v + 1e-7));
  let missing = units - floors.reduce((a, b) => a + b, 0);
  const order = scaled
    .map((v, i) => ({ i, remainder: v - Math.floor(v + 1e-7) }))
    .sort((a, b) => b.remainder - a.remainder || a.i - b.i);
  const out = [...floors];
  for (let k = 0; missing > 0 && order.length > 0; k = (k + 1) % order.length, missing--) {
    const index = order[k]!.i;
    out[index] = (out[index] ?? 0) + 1;
  }
  for (let k = order.length - 1; missing < 0 && k >= 0; k--, missing++) {
    const index = order[k]!.i;
    if ((out[index] ?? 0) > 0) out[index] = (out[index] ?? 0) - 1;
  }
  return out.map((u) => u / scale);
}

export interface DisplayWeights {
  /** accuracy, percent of the score (one decimal) */
  accuracy: number;
  /** health overall, percent of the score: exactly the sum of `components` */
  health: number;
  /** each sub-component's weight, percent of the score; accuracy + these = exactly 100 */
  components: Record<string, number>;
  /** each sub-component's share of the health part, percent; these sum to exactly 100 */
  shares: Record<string, number>;
}

/** What the sliders show: one decimal, accuracy + components = 100.0 exactly, shares = 100.0 exactly. */
export function displayWeights(state: WeightState, decimals = 1): DisplayWeights {
  const names = Object.keys(state.proportions);
  const exact = exactWeights(state);
  const rounded = roundToTotal([exact.accuracy, ...names.map((n) => exact.components[n] ?? 0)], 100, decimals);
  const scale = 10 ** decimals;
  const components: Record<string, number> = {};
  names.forEach((name, i) => {
    components[name] = rounded[i + 1] ?? 0;
  });
  const healthUnits = names.reduce((sum, n) => sum + Math.round((components[n] ?? 0) * scale), 0);
  const shareValues = roundToTotal(
    names.map((n) => 100 * (state.proportions[n] ?? 0)),
    100,
    decimals,
  );
  const shares: Record<string, number> = {};
  names.forEach((name, i) => {
    shares[name] = shareValues[i] ?? 0;
  });
  return { accuracy: rounded[0] ?? 0, health: healthUnits / scale, components, shares };
}

/** The request's `weights`: fractions of 1 (proportions sum to 1, accuracy + health = 1). */
export function toRequestWeights(state: WeightState): WeightsLike {
  const proportions: Record<string, number> = {};
  const normalized = normalizeProportions(state.proportions);
  for (const [name, p] of Object.entries(normalized)) proportions[name] = Math.round(p * 1e6) / 1e6;
  const accuracy = Math.round(state.accuracy * 1e4) / 1e6;
  return {
    accuracy_weight: accuracy,
    health_overall_weight: Math.round((1 - accuracy) * 1e6) / 1e6,
    health_component_proportions: proportions,
  };
}

/** Simple mode scores accuracy only: 100% / 0%, sub-components kept (the sliders are disabled). */
export function simpleModeWeights(defaults: WeightsLike): WeightState {
  return { ...fromWeights(defaults), accuracy: 100, health: 0 };
}

/** Format a displayed weight ("7.5", "10.0"). */
export function formatPercent(value: number, decimals = 1): string {
  return value.toFixed(decimals);
}
