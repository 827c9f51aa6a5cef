import { useDefaultWeights } from "../api/hooks";
import { BUILTIN_DEFAULTS, type WeightsLike } from "./weights";

export interface ScoringDefaults {
  weights: WeightsLike;
  descriptions: Record<string, string>;
  /** the near-tie band of the best-trial rule, in standard errors (null until the server has answered) */
  nearTieStandardErrors: number | null;
  /** near ties whose validation loss is more than this share above the lowest drop out (null until answered) */
  nearTieLossTolerance: number | null;
  /** true when the server's defaults could not be read and the built-in copy is used */
  fallback: boolean;
  loading: boolean;
  retry: () => void;
}

/** Default weights and metric descriptions from /api/default-scoring-weights, or the built-in copy. */
export function useScoringDefaults(): ScoringDefaults {
  const query = useDefaultWeights();
  if (query.data) {
    return {
      weights: query.data,
      descriptions: query.data.descriptions ?? {},
      nearTieStandardErrors: query.data.near_tie_standard_errors,
      nearTieLossTolerance: query.data.near_tie_loss_tolerance,
      fallback: false,
      loading: false,
      retry: () => void query.refetch(),
    };
  }
  return {
    weights: BUILTIN_DEFAULTS,
    descriptions: {},
    nearTieStandardErrors: null,
    nearTieLossTolerance: null,
    fallback: query.isError,
    loading: query.isPending,
    retry: () => void query.refetch(),
  };
}
