/**
 * Sends a dataset file to POST /api/datasets/uploads. The body is the raw file, which openapi-fetch would
 * JSON-encode, and fetch reports no upload progress: so this one call uses XMLHttpRequest, typed with the
 * generated schema.
 */
import { apiUrl } from "../base";
import { ApiError, getToken, type Schemas } from "./client";

export type Upload = Schemas["UploadOut"];

/** The file endings the server accepts (healthtune.data.uploads.UPLOAD_SUFFIXES). */
export const UPLOAD_SUFFIXES = [".zip", ".tar", ".tar.gz", ".tgz", ".tar.bz2", ".tar.xz", ".csv", ".npz"];

/** Why `file` would be refused before sending it, or null. */
export function uploadProblem(file: { name: string; size: number }, maxUploadMb: number | undefined): string | null {
  const name = file.name.toLowerCase();
  if (!UPLOAD_SUFFIXES.some((suffix) => name.endsWith(suffix))) {
    return `${file.name}: the file must end in one of ${UPLOAD_SUFFIXES.join(", ")} (a zipped folder of images or .txt files per class, a label,text CSV, or numpy arrays)`;
  }
  if (file.size === 0) return `${file.name} is empty`;
  if (maxUploadMb !== undefined && file.size > maxUploadMb * 2 ** 20) {
    return `${file.name} is ${formatBytes(file.size)}; this server takes files up to ${maxUploadMb} MB (max_upload_mb)`;
  }
  return null;
}

export function formatBytes(bytes: number): string {
  if (bytes < 1024) return `${bytes} B`;
  if (bytes < 2 ** 20) return `${(bytes / 1024).toFixed(1)} KB`;
  if (bytes < 2 ** 30) return `${(bytes / 2 ** 20).toFixed(1)} MB`;
  return `${(bytes / 2 ** 30).toFixed(2)} GB`;
}

/** Upload `file`, reporting the share sent (0..1); rejects with an ApiError carrying the server's message. */
export function uploadDataset(file: File, onProgress: (sent: number) => void, signal?: AbortSignal): Promise<Upload> {
  return new Promise((resolve, reject) => {
    const request = new XMLHttpRequest();
    request.open("POST", apiUrl(`api/datasets/uploads?filename=${encodeURIComponent(file.name)}`));
    const token = getToken();
    if (token) request.setRequestHeader("Authorization", `Bearer ${token}`);
    request.setRequestHeader("Content-Type", "application/octet-stream");
    request.upload.onprogress = (event) => {
      if (event.lengthComputable) onProgress(event.loaded / event.total);
    };
    request.onload = () => {
      let body: { detail?: unknown } | null = null;
      try {
        body = JSON.parse(request.responseText) as { detail?: unknown };
      } catch {
        /* a proxy's HTML error page */
      }
      if (request.status === 201 && body) resolve(body as Upload);
      else if (request.status === 413 && !body?.detail) reject(new ApiError(413, "the file is larger than the server (or its proxy) accepts"));
      else reject(new ApiError(request.status, body?.detail ?? null));
    };
    request.onerror = () => reject(new ApiError(0, null));
    request.onabort = () => reject(new DOMException("upload cancelled", "AbortError"));
    signal?.addEventListener("abort", () => request.abort());
    request.send(file);
  });
}
