import { describe, expect, it } from "vitest";
import {
  BUILTIN_DEFAULTS,
  displayWeights,
  fromWeights,
  roundToTotal,
  setAccuracy,
  setComponentShare,
  setComponentWeight,
  setHealthOverall,
  simpleModeWeights,
  toRequestWeights,
  type WeightState,
} from "./weights";
import { WORKED } from "../test/weights";

/** The metrics a state weighs, in its order: the worked examples name six, today's defaults eight. */
const names = (state: WeightState): string[] => Object.keys(state.proportions);
const NAMES = Object.keys(WORKED.health_component_proportions);

function defaults(): WeightState {
  return fromWeights(WORKED);
}

function components(state: WeightState): number[] {
  const shown = displayWeights(state);
  return names(state).map((n) => shown.components[n]!);
}

function sumTenths(values: number[]): number {
  return values.reduce((a, b) => a + Math.round(b * 10), 0);
}

function expectSumsExact(state: WeightState): void {
  const shown = displayWeights(state);
  const comps = names(state).map((n) => shown.components[n]!);
  expect(sumTenths([shown.accuracy, ...comps])).toBe(1000);
  expect(sumTenths([shown.accuracy, shown.health])).toBe(1000);
  expect(sumTenths(comps)).toBe(Math.round(shown.health * 10));
  expect(sumTenths(names(state).map((n) => shown.shares[n]!))).toBe(1000);
  for (const v of [shown.accuracy, shown.health, ...comps]) {
    expect(v).toBeGreaterThanOrEqual(0);
    expect(v).toBeLessThanOrEqual(100);
    expect(Math.round(v * 10) / 10).toBe(v); // one decimal, no 33.33333
  }
}

describe("the defaults", () => {
  it("are the server's: 70/30, the health part 3.0/6.0/0.0/1.5/3.0/0.0/4.5/12.0", () => {
    const state = fromWeights(BUILTIN_DEFAULTS);
    expect(components(state)).toEqual([3.0, 6.0, 0.0, 1.5, 3.0, 0.0, 4.5, 12.0]);
    expectSumsExact(state);
  });

  it("70/30 split the worked example's health part 7.5/4.5/6.0/4.5/4.5/3.0", () => {
    const state = defaults();
    expect(displayWeights(state).accuracy).toBe(70);
    expect(displayWeights(state).health).toBe(30);
    expect(components(state)).toEqual([7.5, 4.5, 6.0, 4.5, 4.5, 3.0]);
    expectSumsExact(state);
  });
});

describe("the seed's worked examples", () => {
  it("accuracy 70 -> 80 scales 7.5/4.5/6.0/4.5/4.5/3.0 to 5.0/3.0/4.0/3.0/3.0/2.0", () => {
    const state = setAccuracy(defaults(), 80);
    const shown = displayWeights(state);
    expect(shown.accuracy).toBe(80);
    expect(shown.health).toBe(20);
    expect(components(state)).toEqual([5.0, 3.0, 4.0, 3.0, 3.0, 2.0]);
    expectSumsExact(state);
  });

  it("health 30 -> 40 gives accuracy 60 and 10.0/6.0/8.0/6.0/6.0/4.0", () => {
    const state = setHealthOverall(defaults(), 40);
    const shown = displayWeights(state);
    expect(shown.accuracy).toBe(60);
    expect(shown.health).toBe(40);
    expect(components(state)).toEqual([10.0, 6.0, 8.0, 6.0, 6.0, 4.0]);
    expectSumsExact(state);
  });

  it("neuron utilization 25% -> 35% of a 30% health gives 10.5; the other five sum to 19.5", () => {
    const state = setComponentShare(defaults(), "neuron_utilization", 35);
    const shown = displayWeights(state);
    expect(shown.components.neuron_utilization).toBe(10.5);
    const others = NAMES.slice(1).map((n) => shown.components[n]!);
    expect(sumTenths(others)).toBe(195);
    expect(shown.accuracy).toBe(70);
    expect(shown.health).toBe(30);
    // proportional: the others keep their ratios 15:20:15:15:10
    const p = state.proportions;
    expect(p.training_stability! / p.parameter_efficiency!).toBeCloseTo(20 / 15, 12);
    expect(p.accuracy_consistency! / p.gradient_health!).toBeCloseTo(10 / 15, 12);
    expect(others).toEqual([3.9, 5.2, 3.9, 3.9, 2.6]);
    expectSumsExact(state);
  });

  it("the same change in points of the score (7.5 -> 10.5) gives the same result", () => {
    const byShare = setComponentShare(defaults(), "neuron_utilization", 35);
    const byWeight = setComponentWeight(defaults(), "neuron_utilization", 10.5);
    expect(displayWeights(byWeight)).toEqual(displayWeights(byShare));
  });
});

describe("extremes", () => {
  it("health 0% keeps the proportions; raising it again brings them back", () => {
    const zero = setHealthOverall(defaults(), 0);
    expect(displayWeights(zero).accuracy).toBe(100);
    expect(components(zero)).toEqual([0, 0, 0, 0, 0, 0]);
    expectSumsExact(zero);
    const back = setHealthOverall(zero, 30);
    expect(components(back)).toEqual([7.5, 4.5, 6.0, 4.5, 4.5, 3.0]);
  });

  it("health 100% gives accuracy 0 and the components the whole score", () => {
    const full = setAccuracy(defaults(), 0);
    expect(displayWeights(full).health).toBe(100);
    expect(components(full)).toEqual([25, 15, 20, 15, 15, 10]);
    expectSumsExact(full);
  });

  it("one component at 100% of health zeroes the others; back down they share the rest equally", () => {
    const all = setComponentShare(defaults(), "gradient_health", 100);
    expect(components(all)).toEqual([0, 0, 0, 30, 0, 0]);
    expectSumsExact(all);
    const down = setComponentShare(all, "gradient_health", 50);
    expect(components(down)).toEqual([3, 3, 3, 15, 3, 3]);
    expectSumsExact(down);
  });

  it("one component at 0% gives its share to the other five in proportion", () => {
    const none = setComponentShare(defaults(), "neuron_utilization", 0);
    expect(components(none)).toEqual([0, 6, 8, 6, 6, 4]);
    expectSumsExact(none);
  });

  it("values outside the range are clamped", () => {
    expect(displayWeights(setAccuracy(defaults(), 140)).accuracy).toBe(100);
    expect(displayWeights(setAccuracy(defaults(), -3)).accuracy).toBe(0);
    expect(displayWeights(setHealthOverall(defaults(), Number.NaN)).health).toBe(0);
    expect(displayWeights(setComponentShare(defaults(), "neuron_utilization", 250)).shares.neuron_utilization).toBe(100);
    expect(setComponentShare(defaults(), "no_such_metric", 50)).toEqual(defaults());
  });

  it("with health at 0 a component weight cannot change", () => {
    const zero = setHealthOverall(defaults(), 0);
    expect(setComponentWeight(zero, "neuron_utilization", 5)).toEqual(zero);
  });
});

describe("rounding always sums to exactly 100", () => {
  it("thirds and sevenths", () => {
    let state = setHealthOverall(defaults(), 100 / 3);
    expectSumsExact(state);
    state = setComponentShare(state, "neuron_utilization", 100 / 7);
    expectSumsExact(state);
    state = setAccuracy(state, 33.33);
    expectSumsExact(state);
  });

  it("every accuracy from 0 to 100 in steps of 0.1, and every share in steps of 1", () => {
    for (let tenth = 0; tenth <= 1000; tenth++) expectSumsExact(setAccuracy(defaults(), tenth / 10));
    for (const name of NAMES) {
      for (let share = 0; share <= 100; share++) expectSumsExact(setComponentShare(defaults(), name, share));
    }
  });

  it("roundToTotal distributes the missing units by largest remainder", () => {
    expect(roundToTotal([33.333, 33.333, 33.334], 100)).toEqual([33.3, 33.3, 33.4]);
    expect(roundToTotal([100 / 3, 100 / 3, 100 / 3], 100)).toEqual([33.4, 33.3, 33.3]);
    expect(roundToTotal([100 / 6, 100 / 6, 100 / 6, 100 / 6, 100 / 6, 100 / 6], 100).reduce((a, b) => a + b * 10, 0)).toBeCloseTo(1000, 9);
    expect(roundToTotal([50, 50], 100, 0)).toEqual([50, 50]);
  });
});

describe("rapid repeated changes", () => {
  it("a thousand random slider moves never break the sums or drift the proportions", () => {
    let seed = 12345;
    const random = () => {
      seed = (seed * 1103515245 + 12345) % 2 ** 31;
      return seed / 2 ** 31;
    };
    let state = defaults();
    for (let i = 0; i < 1000; i++) {
      const pick = random();
      if (pick < 0.3) state = setAccuracy(state, Math.round(random() * 1000) / 10);
      else if (pick < 0.5) state = setHealthOverall(state, random() * 100);
      else state = setComponentShare(state, NAMES[Math.floor(random() * 6)]!, random() * 100);
      const sum = Object.values(state.proportions).reduce((a, b) => a + b, 0);
      expect(sum).toBeCloseTo(1, 9);
      expect(state.accuracy + state.health).toBeCloseTo(100, 9);
      expectSumsExact(state);
    }
  });

  it("moving a component up and back restores the others exactly", () => {
    let state = defaults();
    for (let i = 0; i < 200; i++) {
      state = setComponentShare(state, "neuron_utilization", 25 + (i % 50));
    }
    state = setComponentShare(state, "neuron_utilization", 25);
    expect(components(state)).toEqual([7.5, 4.5, 6.0, 4.5, 4.5, 3.0]);
  });

  it("dragging accuracy back and forth returns to the defaults", () => {
    let state = defaults();
    for (let a = 70; a <= 100; a++) state = setAccuracy(state, a);
    for (let a = 100; a >= 0; a--) state = setAccuracy(state, a);
    state = setAccuracy(state, 70);
    expect(displayWeights(state)).toEqual(displayWeights(defaults()));
  });
});

describe("what is sent and simple mode", () => {
  it("request weights are fractions that sum to 1", () => {
    const weights = toRequestWeights(setComponentShare(setAccuracy(defaults(), 62.5), "training_stability", 33));
    expect(weights.accuracy_weight).toBe(0.625);
    expect(weights.health_overall_weight).toBe(0.375);
    const sum = Object.values(weights.health_component_proportions).reduce((a, b) => a + b, 0);
    expect(Math.abs(sum - 1)).toBeLessThan(1e-5);
    expect(weights.health_component_proportions.training_stability).toBe(0.33);
  });

  it("simple mode locks 100% / 0%", () => {
    const simple = simpleModeWeights(BUILTIN_DEFAULTS);
    const shown = displayWeights(simple);
    expect(shown.accuracy).toBe(100);
    expect(shown.health).toBe(0);
    expect(toRequestWeights(simple).accuracy_weight).toBe(1);
  });

  it("fromWeights normalizes proportions that do not sum to 1", () => {
    const state = fromWeights({ accuracy_weight: 0.5, health_overall_weight: 0.5, health_component_proportions: { a: 2, b: 2 } });
    expect(state.proportions).toEqual({ a: 0.5, b: 0.5 });
  });
});
