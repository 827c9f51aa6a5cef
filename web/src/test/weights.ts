/** The proportions of the original weighting, on which the weight sliders' rebalancing examples were worked out. */
export const WORKED = {
  accuracy_weight: 0.7,
  health_overall_weight: 0.3,
  health_component_proportions: {
    neuron_utilization: 0.25,
    parameter_efficiency: 0.15,
    training_stability: 0.2,
    gradient_health: 0.15,
    convergence_quality: 0.15,
    accuracy_consistency: 0.1,
  } as Record<string, number>,
};
