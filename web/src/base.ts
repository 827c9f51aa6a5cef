/** Where the app lives (the page's base, e.g. "/hyperparameter-tuning/demo/"), and URLs derived from it. */

declare global {
  interface Window {
    __HEALTHTUNE_BASE__?: string;
  }
}

/** The app's base path, always ending in "/"; set by index.html from the page URL before anything loads. */
export function basePath(): string {
  const base = window.__HEALTHTUNE_BASE__ ?? "/";
  return base.endsWith("/") ? base : `${base}/`;
}

/** Router basename: the base without its trailing slash ("" at the root). */
export function routerBasename(): string {
  return basePath().replace(/\/$/, "");
}

/** Absolute http(s) URL of an API path such as "api/jobs" (no leading slash) under the base. */
export function apiUrl(path: string): string {
  return new URL(path.replace(/^\//, ""), `${window.location.origin}${basePath()}`).toString();
}

/** The WebSocket URL for an API path under the base: ws:// or wss:// like the page. */
export function wsUrl(path: string): string {
  const url = new URL(apiUrl(path));
  url.protocol = url.protocol === "https:" ? "wss:" : "ws:";
  return url.toString();
}
