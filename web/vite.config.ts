/// <reference types="vitest" />
import { defineConfig } from "vite";
import react from "@vitejs/plugin-react";
import { fileURLToPath } from "node:url";

// The API a dev server (`npm run dev`) proxies to: a local `healthtune serve`.
const api = process.env.HEALTHTUNE_API ?? "http://127.0.0.1:8000";

export default defineConfig({
  plugins: [react()],
  // Relative asset URLs: the built UI works under any sub-path prefix (index.html sets <base> at run time).
  base: "./",
  build: {
    outDir: fileURLToPath(new URL("../src/healthtune/server/static", import.meta.url)),
    emptyOutDir: true,
    chunkSizeWarningLimit: 1200,
    sourcemap: false,
  },
  server: {
    port: 5173,
    proxy: {
      "/api": { target: api, changeOrigin: true, ws: true },
      "/openapi.json": { target: api, changeOrigin: true },
      "/docs": { target: api, changeOrigin: true },
    },
  },
  test: {
    environment: "jsdom",
    include: ["src/**/*.test.{ts,tsx}"],
    setupFiles: ["src/test/setup.ts"],
  },
});
