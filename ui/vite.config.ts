/// <reference types="vitest/config" />
import { defineConfig } from "vite";
import { svelte } from "@sveltejs/vite-plugin-svelte";

// The Tauri CLI runs `npm --prefix ui run dev` and expects the dev server on a fixed port.
export default defineConfig({
  plugins: [svelte()],
  clearScreen: false,
  server: { port: 5173, strictPort: true, host: "127.0.0.1" },
  build: {
    // WebKitGTK 2.40+ (Debian 12) handles modern syntax; no need to down-level.
    target: "safari16",
    outDir: "dist",
    emptyOutDir: true,
  },
  resolve: process.env.VITEST ? { conditions: ["browser"] } : undefined,
  test: {
    environment: "happy-dom",
    include: ["tests/**/*.test.ts"],
    setupFiles: ["tests/setup.ts"],
    // A screen test takes about a second; on a shared 2-core CI machine at load 10 one took
    // over vitest's default 5 s. The tests wait for what they expect, so time is only a cap.
    testTimeout: 30_000,
  },
});
