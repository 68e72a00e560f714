// Picks the Backend: Tauri inside the desktop app, the mock in a plain browser.
import type { Backend } from "./backend";
import { createMockBackend } from "./mock";
import { createTauriBackend } from "./tauri";

export * from "./backend";
export {
  catalogueItem,
  createMockBackend,
  MOCK_APP_INFO,
  MOCK_LOOKS,
  MOCK_VOICES,
  type MockBackend,
  type MockOptions,
} from "./mock";

export function isTauri(): boolean {
  return typeof window !== "undefined" && "__TAURI_INTERNALS__" in window;
}

export function selectBackend(): Backend {
  return isTauri() ? createTauriBackend() : createMockBackend();
}
