// An in-memory Backend so the whole UI runs in a plain browser and in component tests.
import { type AppInfo, type Backend, BackendError, type CommandError, type Theme } from "./backend";

export interface MockOptions {
  appInfo?: Partial<AppInfo>;
  /** Makes `appInfo()` fail with this error instead. */
  appInfoError?: CommandError;
}

export interface MockBackend extends Backend {
  /** Simulates the desktop switching theme. */
  emitSystemTheme(theme: Theme): void;
  /** How many times each method was called. */
  readonly calls: { appInfo: number };
}

export const MOCK_APP_INFO: AppInfo = {
  productName: "Video Agent Studio",
  version: "0.0.0-mock",
  dataDir: "/home/you/.local/share/dev.videoagentstudio.desktop",
  libraryDir: "/home/you/Videos/Video Agent Studio",
  systemTheme: "light",
};

export function createMockBackend(options: MockOptions = {}): MockBackend {
  const themeListeners = new Set<(theme: Theme) => void>();
  const calls = { appInfo: 0 };
  return {
    kind: "mock",
    calls,
    async appInfo() {
      calls.appInfo += 1;
      if (options.appInfoError) throw new BackendError(options.appInfoError);
      return { ...MOCK_APP_INFO, ...options.appInfo };
    },
    async onSystemThemeChanged(listener) {
      themeListeners.add(listener);
      return () => themeListeners.delete(listener);
    },
    emitSystemTheme(theme) {
      for (const listener of themeListeners) listener(theme);
    },
  };
}
