/** The typed API client, generated from the server's OpenAPI schema (src/api/schema.d.ts, `npm run gen:api`). */
import createClient, { type Middleware } from "openapi-fetch";
import type { components, paths } from "./schema";
import { apiUrl } from "../base";

export type Schemas = components["schemas"];
export type Job = Schemas["JobOut"];
export type JobPage = Schemas["JobPage"];
export type JobStatus = Schemas["JobStatusOut"];
export type Progress = Schemas["Progress"];
export type RunningTrial = Schemas["RunningTrial"];
export type Trial = Schemas["TrialOut"];
export type TrialDetail = Schemas["TrialDetail"];
export type Dataset = Schemas["DatasetOut"];
export type DefaultWeights = Schemas["DefaultWeights"];
export type SearchParam = Schemas["SearchParam"];
export type OptimizationRequest = Schemas["OptimizationRequest"];
export type WeightsIn = Schemas["WeightsIn"];
export type BestModel = Schemas["BestModel"];
export type RescoreOut = Schemas["RescoreOut"];
export type HealthBought = Schemas["HealthBoughtOut"];
export type MeasuredTrial = Schemas["MeasuredTrial"];
export type PredictorInfo = Schemas["PredictorInfo"];
export type PredictRequest = Schemas["PredictRequest"];
export type PredictOut = Schemas["PredictOut"];

const TOKEN_KEY = "healthtune.apiToken";

/** The API token (when the server sets HEALTHTUNE_API_TOKEN), kept in this browser only. */
export function getToken(): string | null {
  try {
    return window.localStorage.getItem(TOKEN_KEY);
  } catch {
    return null;
  }
}

export function setToken(token: string | null): void {
  try {
    if (token) window.localStorage.setItem(TOKEN_KEY, token);
    else window.localStorage.removeItem(TOKEN_KEY);
  } catch {
    /* private mode: the token lasts for this page only */
  }
}

const auth: Middleware = {
  onRequest({ request }) {
    const token = getToken();
    if (token) request.headers.set("Authorization", `Bearer ${token}`);
    return request;
  },
};

/** openapi-fetch wants the server's root; our paths in the schema start with /api. */
export const api = createClient<paths>({ baseUrl: apiUrl("").replace(/\/$/, "") });
api.use(auth);

/** One field's message from a 422, keyed by the dotted field path ("trials", "weights.accuracy_weight"). */
export type FieldErrors = Record<string, string>;

interface ValidationItem {
  loc?: (string | number)[];
  msg?: string;
}

/** Where a 422 item points, without its "body" or "query" root: "trials", "weights.accuracy_weight", "filename". */
function fieldPath(item: ValidationItem): string {
  const [root, ...rest] = item.loc ?? [];
  return (root === "body" || root === "query" ? rest : (item.loc ?? [])).join(".");
}

/** An API error with its HTTP status and the server's message(s). */
export class ApiError extends Error {
  readonly status: number;
  readonly detail: unknown;

  constructor(status: number, detail: unknown) {
    super(ApiError.describe(status, detail));
    this.name = "ApiError";
    this.status = status;
    this.detail = detail;
  }

  static describe(status: number, detail: unknown): string {
    if (typeof detail === "string") return detail;
    if (Array.isArray(detail)) {
      return (detail as ValidationItem[])
        .map((item) => {
          const path = fieldPath(item);
          return path ? `${path}: ${item.msg ?? ""}` : (item.msg ?? "");
        })
        .join("; ");
    }
    if (status === 0) return "the server cannot be reached";
    return `request failed with HTTP ${status}`;
  }

  /** Per-field messages of a 422 (FastAPI's detail list), with the leading "body" dropped. */
  fieldErrors(): FieldErrors {
    const out: FieldErrors = {};
    if (!Array.isArray(this.detail)) return out;
    for (const item of this.detail as ValidationItem[]) {
      const key = fieldPath(item) || "_";
      out[key] = out[key] ? `${out[key]}; ${item.msg ?? ""}` : (item.msg ?? "");
    }
    return out;
  }
}

/** The data of an openapi-fetch result, or an ApiError with the server's detail. */
export function unwrap<T>(result: { data?: T; error?: unknown; response: Response }): T {
  if (result.response.ok && result.data !== undefined) return result.data;
  if (result.response.ok && result.response.status === 204) return undefined as T;
  const error = result.error as { detail?: unknown } | undefined;
  throw new ApiError(result.response.status, error?.detail ?? error);
}

/** A file URL under the API (for <img src> and download links). */
export function fileUrl(path: string): string {
  return apiUrl(path.replace(/^\//, ""));
}

/** Fetch a file with the token and hand it to the browser as a download (used when a token is set). */
export async function downloadWithToken(path: string, filename: string): Promise<void> {
  const token = getToken();
  const response = await fetch(fileUrl(path), {
    headers: token ? { Authorization: `Bearer ${token}` } : {},
  });
  if (!response.ok) {
    let detail: unknown = null;
    try {
      detail = ((await response.json()) as { detail?: unknown }).detail;
    } catch {
      /* not JSON */
    }
    throw new ApiError(response.status, detail);
  }
  saveBlob(await response.blob(), filename);
}

/** Hand a blob to the browser as a download named `filename`. */
export function saveBlob(blob: Blob, filename: string): void {
  const url = URL.createObjectURL(blob);
  const link = document.createElement("a");
  link.href = url;
  link.download = filename;
  document.body.appendChild(link);
  link.click();
  link.remove();
  setTimeout(() => URL.revokeObjectURL(url), 10_000);
}
