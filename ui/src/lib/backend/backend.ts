// The one seam between the UI and the desktop shell. Screens depend on this interface only;
// `tauri.ts` implements it over IPC and `mock.ts` in memory (plain browser, component tests).
import type { AppInfo, CommandError, Theme } from "./bindings";

export type { AppInfo, CommandError, Theme };

/** A failed backend call, carrying the shell's `CommandError` fields. */
export class BackendError extends Error {
  readonly code: string;
  readonly param?: string;
  readonly requestId?: string;
  readonly retryAfter?: number;

  constructor(error: CommandError) {
    super(error.message);
    this.name = "BackendError";
    this.code = error.code;
    this.param = error.param ?? undefined;
    this.requestId = error.request_id ?? undefined;
    this.retryAfter = error.retry_after ?? undefined;
  }
}

export type Unsubscribe = () => void;

export interface Backend {
  /** "tauri" inside the desktop app, "mock" in a plain browser or a test. */
  readonly kind: "tauri" | "mock";
  /** App name, version and folders; rejects with `BackendError`. */
  appInfo(): Promise<AppInfo>;
  /** Calls `listener` whenever the desktop switches between light and dark. */
  onSystemThemeChanged(listener: (theme: Theme) => void): Promise<Unsubscribe>;
}

/** Turns whatever a rejected call produced into a `BackendError`. */
export function toBackendError(error: unknown): BackendError {
  if (error instanceof BackendError) return error;
  if (typeof error === "object" && error !== null && "code" in error && "message" in error) {
    return new BackendError(error as CommandError);
  }
  // Tauri itself (unknown command, denied permission) rejects with a plain string.
  return new BackendError({ code: "ipc_error", message: String(error) });
}
