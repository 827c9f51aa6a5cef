/** TanStack Query hooks over the generated client. */
import { keepPreviousData, useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import {
  api,
  ApiError,
  unwrap,
  type BestModel,
  type OptimizationRequest,
  type PredictOut,
  type PredictRequest,
  type RescoreOut,
  type WeightsIn,
} from "./client";
import bundledSchema from "../../openapi.json";
import { apiUrl } from "../base";

export const TERMINAL = new Set(["completed", "failed", "cancelled", "interrupted"]);
export const RESUMABLE = new Set(["failed", "cancelled", "interrupted"]);

export const keys = {
  datasets: ["datasets"] as const,
  weights: ["default-weights"] as const,
  searchSpace: ["search-space"] as const,
  choices: ["choices"] as const,
  datasetCheck: (name: string) => ["dataset-check", name] as const,
  uploads: ["dataset-uploads"] as const,
  health: ["health"] as const,
  schema: ["openapi"] as const,
  jobs: (offset: number, limit: number, status?: string) => ["jobs", offset, limit, status ?? "all"] as const,
  job: (id: string) => ["job", id] as const,
  status: (id: string) => ["job", id, "status"] as const,
  trials: (id: string) => ["job", id, "trials"] as const,
  trial: (id: string, n: number) => ["job", id, "trial", n] as const,
  best: (id: string) => ["job", id, "best-model"] as const,
  predictor: (id: string) => ["job", id, "predictor"] as const,
  studyPlot: (id: string, name: string) => ["job", id, "study-plot", name] as const,
  importances: (id: string) => ["job", id, "importances"] as const,
  tensorboard: (id: string) => ["job", id, "tensorboard"] as const,
  plotData: (id: string, n: number, name: string) => ["job", id, "trial", n, "plot", name] as const,
  architecture: (id: string, n: number) => ["job", id, "trial", n, "architecture"] as const,
};

export function useDatasets() {
  return useQuery({
    queryKey: keys.datasets,
    queryFn: async () => unwrap(await api.GET("/api/datasets")),
    staleTime: 60_000,
  });
}

/** The server's liveness, version and limits; a 401 here means it wants the API token. */
export function useServerHealth() {
  return useQuery({
    queryKey: keys.health,
    queryFn: async () => {
      const result = await api.GET("/api/health");
      if (!result.response.ok) throw new ApiError(result.response.status, null);
      return result.data;
    },
    refetchInterval: 15_000,
    retry: false,
  });
}

/** Datasets uploaded to the server, newest first. */
export function useUploads() {
  return useQuery({
    queryKey: keys.uploads,
    queryFn: async () => unwrap(await api.GET("/api/datasets/uploads")),
  });
}

export function useDeleteUpload() {
  const client = useQueryClient();
  return useMutation({
    mutationFn: async (uploadId: string) => {
      const result = await api.DELETE("/api/datasets/uploads/{upload_id}", { params: { path: { upload_id: uploadId } } });
      if (!result.response.ok) unwrap(result);
      return uploadId;
    },
    onSettled: () => client.invalidateQueries({ queryKey: keys.uploads }),
  });
}

export function useDefaultWeights() {
  return useQuery({
    queryKey: keys.weights,
    queryFn: async () => unwrap(await api.GET("/api/default-scoring-weights")),
    staleTime: Infinity,
    retry: 1,
  });
}

export function useSearchSpace() {
  return useQuery({
    queryKey: keys.searchSpace,
    queryFn: async () => unwrap(await api.GET("/api/search-space")),
    staleTime: Infinity,
  });
}

/** For mode, pruner, sampler, plot_mode and executor: every value and one sentence on what it does. */
export function useChoices() {
  return useQuery({
    queryKey: keys.choices,
    queryFn: async () => unwrap(await api.GET("/api/choices")),
    staleTime: Infinity,
    retry: 1,
  });
}

/** Whether the server would accept a dataset name (the user's own images:PATH / csv:PATH included). */
export function useDatasetCheck(name: string) {
  return useQuery({
    queryKey: keys.datasetCheck(name),
    queryFn: async () => unwrap(await api.GET("/api/datasets/check", { params: { query: { name } } })),
    enabled: name.trim() !== "",
    staleTime: 10_000,
    placeholderData: keepPreviousData,
  });
}

export type OpenApiDocument = typeof bundledSchema;

/** The running server's OpenAPI schema (request defaults, limits and help); the bundled copy if it cannot be read. */
export function useOpenApiSchema() {
  return useQuery({
    queryKey: keys.schema,
    queryFn: async (): Promise<{ schema: OpenApiDocument; live: boolean }> => {
      try {
        const response = await fetch(apiUrl("openapi.json"));
        if (response.ok) return { schema: (await response.json()) as OpenApiDocument, live: true };
      } catch {
        /* fall back below */
      }
      return { schema: bundledSchema, live: false };
    },
    staleTime: Infinity,
  });
}

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
    refetchInterval: (query) => (query.state.data && TERMINAL.has(query.state.data.status) ? false : 3000),
  });
}

/** Counts, ETA and running trials; polled while the job is not finished. */
export function useJobStatus(id: string) {
  return useQuery({
    queryKey: keys.status(id),
    queryFn: async () =>
      unwrap(await api.GET("/api/jobs/{job_id}/status", { params: { path: { job_id: id } } })),
    refetchInterval: (query) => (query.state.data && TERMINAL.has(query.state.data.status) ? false : 2000),
  });
}

export function useTrials(id: string, live: boolean) {
  return useQuery({
    queryKey: keys.trials(id),
    queryFn: async () =>
      unwrap(await api.GET("/api/jobs/{job_id}/trials", { params: { path: { job_id: id } } })),
    refetchInterval: live ? 5000 : false,
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
    onSuccess: () => client.invalidateQueries({ queryKey: ["jobs"] }),
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
      void client.invalidateQueries({ queryKey: ["job", job.id] });
      void client.invalidateQueries({ queryKey: ["jobs"] });
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
    onSuccess: () => client.invalidateQueries({ queryKey: ["jobs"] }),
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
      void client.invalidateQueries({ queryKey: ["job", id, "study-plot"] });
      void client.invalidateQueries({ queryKey: keys.importances(id) });
    },
  });
}
