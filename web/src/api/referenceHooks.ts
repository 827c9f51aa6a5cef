/** TanStack Query hooks for what the forms need: datasets and uploads, weights, search space, choices, schema, health. */
import { keepPreviousData, useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import bundledSchema from "../../openapi.json";
import { apiUrl } from "../base";
import { api, ApiError, unwrap } from "./client";
import { keys } from "./queryKeys";

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

/** Whether the server would accept a dataset name (the user's own images:, texts:, csv: and npz:PATH included). */
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
