/// <reference types="vitest/config" />
import react from "@vitejs/plugin-react";
import { defineConfig } from "vite";

// `npm run dev` serves the app with hot reload and sends API calls to a
// `paperbroker serve` on PAPERBROKER_URL (default http://127.0.0.1:5000).
const server = process.env.PAPERBROKER_URL ?? "http://127.0.0.1:5000";

export default defineConfig({
  plugins: [react()],
  build: {
    // The Python package serves this directory at `/` (paperbroker.api.dashboard).
    outDir: "../src/paperbroker/dashboard",
    emptyOutDir: true,
    chunkSizeWarningLimit: 1200,
    sourcemap: false,
  },
  server: {
    proxy: {
      "/v1": server,
      "/v2": server,
      "/api": server,
      "/ws": { target: server, ws: true },
      "^/sessions/[^/]+/v2": server,
    },
  },
  test: {
    environment: "jsdom",
    setupFiles: ["./src/test/setup.ts"],
    css: false,
    restoreMocks: true,
    // MUI dialogs and menus take seconds to open in jsdom on a busy machine: a bound, not a target.
    testTimeout: 20_000,
  },
});
