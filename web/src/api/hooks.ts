/** TanStack Query hooks over the generated client: jobs, trials and their files (the forms' hooks are re-exported). */
import { keepPreviousData, useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import {
  api,
  unwrap,
  type BestModel,
  type HealthBought,
  type OptimizationRequest,
  type PredictOut,
  type PredictRequest,
  type RescoreOut,
  type WeightsIn,
} from "./client";
import { keys } from "./queryKeys";

/**
 * The one freshness rule: a job's own resources are polled every LIVE_POLL_MS until the server says
 * the job is terminal (its `terminal` field), then never; live events invalidate them sooner.
 */
export const LIVE_POLL_MS = 3000;

export { keys } from "./queryKeys";
export * from "./referenceHooks";

export function useJobs(offset: number, limit: number, status?: string) {
  return useQuery({
    queryKey: keys.jobs(offset, limit, status),
    queryFn: async () =>
      unwrap(
        await api.GET("/api/jobs", {
          params: { query: { offset, limit, status: (status || undefined) as never } },
        }),
      ),
    refetchInterval: 5000,
    placeholderData: keepPreviousData,
  });
}

export function useJob(id: string) {
  return useQuery({
    queryKey: keys.job(id),
    queryFn: async () => unwrap(await api.GET("/api/jobs/{job_id}", { params: { path: { job_id: id } } })),
    refetchInterval: (query) => (query.state.data?.terminal ? false : LIVE_POLL_MS),
  });
}

/** Counts, ETA and running trials; polled while the job is not finished. */
export function useJobStatus(id: string) {
  return useQuery({
    queryKey: keys.status(id),
    queryFn: async () =>
      unwrap(await api.GET("/api/jobs/{job_id}/status", { params: { path: { job_id: id } } })),
    refetchInterval: (query) => (query.state.data?.terminal ? false : LIVE_POLL_MS),
  });
}

export function useTrials(id: string, live: boolean) {
  return useQuery({
    queryKey: keys.trials(id),
    queryFn: async () =>
      unwrap(await api.GET("/api/jobs/{job_id}/trials", { params: { path: { job_id: id } } })),
    refetchInterval: live ? LIVE_POLL_MS : false,
  });
}

export function useTrial(id: string, number: number) {
  return useQuery({
    queryKey: keys.trial(id, number),
    queryFn: async () =>
      unwrap(
        await api.GET("/api/jobs/{job_id}/trials/{number}", {
          params: { path: { job_id: id, number } },
        }),
      ),
  });
}

/** The optimized model, or null if it does not exist (404). Enable it once the job says it has one. */
export function useBestModel(id: string, enabled: boolean) {
  return useQuery({
    queryKey: keys.best(id),
    queryFn: async (): Promise<BestModel | null> => {
      const result = await api.GET("/api/jobs/{job_id}/best-model", { params: { path: { job_id: id } } });
      if (result.response.status === 404) return null;
      return unwrap(result);
    },
    enabled,
  });
}

/** The pick beside the accuracy-only pick on the test split, or null when the run measured none (404). */
export function useHealthBought(id: string, enabled: boolean) {
  return useQuery({
    queryKey: keys.healthBought(id),
    queryFn: async (): Promise<HealthBought | null> => {
      const result = await api.GET("/api/jobs/{job_id}/health-bought", { params: { path: { job_id: id } } });
      if (result.response.status === 404) return null;
      return unwrap(result);
    },
    enabled,
  });
}

/** What the job's best model classifies (images or texts) and its class names; null without a model. */
export function usePredictorInfo(id: string, enabled: boolean) {
  return useQuery({
    queryKey: keys.predictor(id),
    queryFn: async () => {
      const result = await api.GET("/api/jobs/{job_id}/predictor", { params: { path: { job_id: id } } });
      if (result.response.status === 404) return null;
      return unwrap(result);
    },
    enabled,
  });
}

/** Classify images (base64 data URLs) or texts with the job's best model on the server. */
export function usePredict(id: string) {
  return useMutation({
    mutationFn: async (body: PredictRequest): Promise<PredictOut> =>
      unwrap(await api.POST("/api/jobs/{job_id}/predict", { params: { path: { job_id: id } }, body })),
  });
}

/** Parameter importances computed by the server from the study as it is now (>= 2 finished trials). */
export function useImportances(id: string, refresh: unknown, enabled: boolean) {
  return useQuery({
    queryKey: [...keys.importances(id), refresh],
    queryFn: async () =>
      unwrap(await api.GET("/api/jobs/{job_id}/importances", { params: { path: { job_id: id } } })),
    placeholderData: keepPreviousData,
    enabled,
  });
}

/** Start (or reuse) the run's TensorBoard; only asked for when the user wants it. */
export function useTensorBoard(id: string, enabled: boolean) {
  return useQuery({
    queryKey: keys.tensorboard(id),
    queryFn: async () =>
      unwrap(await api.GET("/api/jobs/{job_id}/tensorboard", { params: { path: { job_id: id } } })),
    enabled,
    staleTime: 30_000,
    retry: false,
  });
}

/** A trial plot's data (`<name>.json`, fields in docs/plots.md). */
export function usePlotData<T>(id: string, number: number, name: string, enabled = true) {
  return useQuery({
    queryKey: keys.plotData(id, number, name),
    queryFn: async (): Promise<T> =>
      unwrap(
        await api.GET("/api/jobs/{job_id}/trials/{number}/plots/{plot_name}", {
          params: { path: { job_id: id, number, plot_name: `${name}.json` } },
          parseAs: "json",
        }),
      ) as T,
    enabled,
    staleTime: Infinity,
  });
}

export function useArchitecture<T>(id: string, number: number, enabled: boolean) {
  return useQuery({
    queryKey: keys.architecture(id, number),
    queryFn: async (): Promise<T> =>
      unwrap(
        await api.GET("/api/jobs/{job_id}/trials/{number}/architecture", {
          params: { path: { job_id: id, number } },
        }),
      ) as T,
    enabled,
    staleTime: Infinity,
  });
}

export function useSubmit() {
  const client = useQueryClient();
  return useMutation({
    mutationFn: async (body: OptimizationRequest) => unwrap(await api.POST("/api/optimize", { body })),
    onSuccess: () => client.invalidateQueries({ queryKey: keys.allJobs }),
  });
}

function useJobAction(action: "cancel" | "resume") {
  const client = useQueryClient();
  return useMutation({
    mutationFn: async (id: string) =>
      unwrap(
        action === "cancel"
          ? await api.POST("/api/jobs/{job_id}/cancel", { params: { path: { job_id: id } } })
          : await api.POST("/api/jobs/{job_id}/resume", { params: { path: { job_id: id } } }),
      ),
    onSuccess: (job) => {
      client.setQueryData(keys.job(job.id), job);
      void client.invalidateQueries({ queryKey: keys.job(job.id) });
      void client.invalidateQueries({ queryKey: keys.allJobs });
    },
  });
}

export const useCancel = () => useJobAction("cancel");
export const useResume = () => useJobAction("resume");

export function useDeleteJob() {
  const client = useQueryClient();
  return useMutation({
    mutationFn: async (id: string) => {
      const result = await api.DELETE("/api/jobs/{job_id}", { params: { path: { job_id: id } } });
      if (!result.response.ok) unwrap(result);
      return id;
    },
    onSuccess: () => client.invalidateQueries({ queryKey: keys.allJobs }),
  });
}

export function useRescore(id: string) {
  const client = useQueryClient();
  return useMutation({
    mutationFn: async (weights: WeightsIn): Promise<RescoreOut> =>
      unwrap(
        await api.POST("/api/jobs/{job_id}/rescore", { params: { path: { job_id: id } }, body: weights }),
      ),
    onSuccess: (result) => {
      client.setQueryData(keys.trials(id), result.trials);
      void client.invalidateQueries({ queryKey: keys.job(id) });
      void client.invalidateQueries({ queryKey: keys.best(id) });
      void client.invalidateQueries({ queryKey: keys.studyPlots(id) });
      void client.invalidateQueries({ queryKey: keys.importances(id) });
    },
  });
}
