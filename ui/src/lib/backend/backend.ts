// The one seam between the UI and the desktop shell. Screens depend on this interface only;
// `tauri.ts` implements it over IPC and `mock.ts` in memory (plain browser, component tests).
import type {
  Account_Serialize,
  AppInfo,
  CatalogueItem_Serialize,
  CataloguePageView_Serialize,
  CommandError,
  Connection_Serialize,
  FileInfo_Serialize,
  JobInput_Serialize,
  JobPage_Serialize,
  JobStateView,
  JobView_Serialize,
  SettingsView_Serialize,
  Theme,
  TransferProgress_Serialize,
} from "./bindings";
import type { ChatBackend } from "../components/session/chat";

// Types that cross both ways are generated in a Serialize (what Rust sends, every field present)
// and a Deserialize (what Rust accepts, optional fields may be left out) variant. The UI works
// with what Rust sends, which is also valid to send back.
export type Account = Account_Serialize;
export type CatalogueItem = CatalogueItem_Serialize;
export type CataloguePageView = CataloguePageView_Serialize;
export type Connection = Connection_Serialize;
export type FileInfo = FileInfo_Serialize;
export type JobInput = JobInput_Serialize;
export type JobPage = JobPage_Serialize;
export type JobView = JobView_Serialize;
export type SettingsView = SettingsView_Serialize;
export type TransferProgress = TransferProgress_Serialize;
export type { AppInfo, CommandError, JobStateView, Theme };

/** Which catalogue a picker or the gallery lists. */
export type CatalogueKind = "styles" | "looks" | "voices" | "brandKits";

/** What the window's file drag-and-drop reports. */
export type DropEvent = { kind: "enter" } | { kind: "leave" } | { kind: "drop"; paths: string[] };

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

/** Chat sessions (issue 6): see `components/session/chat.ts`. */
export interface Backend extends ChatBackend {
  /** "tauri" inside the desktop app, "mock" in a plain browser or a test. */
  readonly kind: "tauri" | "mock";
  /** App name, version and folders; rejects with `BackendError`. */
  appInfo(): Promise<AppInfo>;
  /** Calls `listener` whenever the desktop switches between light and dark. */
  onSystemThemeChanged(listener: (theme: Theme) => void): Promise<Unsubscribe>;

  // Connection, key and settings. The key goes in and never comes back out.
  connection(): Promise<Connection>;
  setApiKey(key: string): Promise<Connection>;
  removeApiKey(): Promise<Connection>;
  /** Tests `candidate` (not stored) or the stored key; resolves to the account and credits. */
  testApiKey(candidate: string | null): Promise<Account>;
  settings(): Promise<SettingsView>;
  updateSettings(settings: SettingsView): Promise<SettingsView>;
  onConnectionChanged(listener: (connection: Connection) => void): Promise<Unsubscribe>;

  // Jobs.
  submitJob(input: JobInput): Promise<JobView>;
  listJobs(offset: number, limit: number): Promise<JobPage>;
  stopJob(id: string): Promise<JobView>;
  retryJob(id: string): Promise<JobView>;
  deleteJob(id: string, removeFiles: boolean, onServer: boolean): Promise<boolean>;
  loadDraft(): Promise<JobInput>;
  saveDraft(draft: JobInput): Promise<void>;
  onJobChanged(listener: (job: JobView) => void): Promise<Unsubscribe>;
  onTransferProgress(listener: (progress: TransferProgress) => void): Promise<Unsubscribe>;
  onRateLimited(listener: (seconds: number) => void): Promise<Unsubscribe>;
  onJobWarning(listener: (jobId: string, error: BackendError) => void): Promise<Unsubscribe>;

  // Catalogues and media.
  catalogue(
    kind: CatalogueKind,
    token: string | null,
    tag?: string | null,
  ): Promise<CataloguePageView>;
  /** A local file for a catalogue URL (fetched once by Rust, then served from the cache). */
  cachedMedia(url: string): Promise<string>;
  /** A URL the web view can load for a local file (asset protocol). */
  mediaSrc(path: string): string;

  // Desktop.
  inspectFiles(paths: string[]): Promise<FileInfo[]>;
  pickFiles(): Promise<string[]>;
  pickFolder(): Promise<string | null>;
  revealInFolder(path: string): Promise<void>;
  openFile(path: string): Promise<void>;
  copyText(text: string): Promise<void>;
  onFileDrop(listener: (event: DropEvent) => void): Promise<Unsubscribe>;
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
