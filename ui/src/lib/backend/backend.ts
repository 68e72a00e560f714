// The one seam between the UI and the desktop shell. Screens depend on this interface only;
// `tauri.ts` implements it over IPC and `mock.ts` in memory (plain browser, component tests).
import type {
  Account_Serialize,
  AppInfo,
  BatchControl,
  BatchOptionsInput_Serialize,
  BatchPreviewView_Serialize,
  BatchRowItem_Serialize,
  BatchView_Serialize,
  CatalogueItem_Serialize,
  CataloguePageView_Serialize,
  Connection_Serialize,
  ErrorCode,
  ErrorView,
  FileInfo_Serialize,
  JobFile,
  JobInput_Serialize,
  JobPage_Serialize,
  JobState,
  JobView_Serialize,
  OpenedPlayer,
  PlayableFile,
  PlayerControl,
  PlayerPlacement_Deserialize,
  PlayerState_Serialize,
  SettingsView_Serialize,
  Appearance,
  Mode,
  Orientation,
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
export type { JobFile };
export type TransferProgress = TransferProgress_Serialize;
export type PlayerState = PlayerState_Serialize;
/** Where the page shows a player's picture (the app paints the frames there). */
export type PlayerPlacement = PlayerPlacement_Deserialize;
export type BatchPreview = BatchPreviewView_Serialize;
export type BatchOptionsInput = BatchOptionsInput_Serialize;
export type BatchRowItem = BatchRowItem_Serialize;
export type BatchView = BatchView_Serialize;
/** What a failed command returns: the engine's `ErrorView`, with a code from `ErrorCode`. */
export type CommandError = ErrorView;
export type {
  AppInfo,
  Appearance,
  BatchControl,
  ErrorCode,
  JobState,
  Mode,
  OpenedPlayer,
  Orientation,
  PlayableFile,
  PlayerControl,
  Theme,
};
// Limits studio-core enforces, exported from Rust so the UI cannot drift from them.
export { ACCEPTED_TYPES, ACTIVE_JOB_STATES, FILE_LIMIT, PROMPT_LIMIT } from "./bindings";

/** Which catalogue a picker or the gallery lists. */
export type CatalogueKind = "styles" | "looks" | "voices" | "brandKits";

/** What the window's file drag-and-drop reports. */
export type DropEvent = { kind: "enter" } | { kind: "leave" } | { kind: "drop"; paths: string[] };

/** Files a launch handed over ("Open with", a second launch): attachments and CSV batches. */
export type OpenedFiles = { attach: string[]; csv: string[] };

/** A failed backend call, carrying the shell's `CommandError` fields. */
export class BackendError extends Error {
  readonly code: ErrorCode;
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
  onSystemThemeChanged(listener: (theme: Appearance) => void): Promise<Unsubscribe>;
  /**
   * Calls `listener` when events from the app were lost (the page fell far behind): what the
   * page shows from earlier events (jobs, connection) must be read again.
   */
  onEventsMissed(listener: () => void): Promise<Unsubscribe>;

  // Connection, key and settings. The key goes in and never comes back out.
  connection(): Promise<Connection>;
  setApiKey(key: string): Promise<Connection>;
  removeApiKey(): Promise<Connection>;
  /** Tests `candidate` (not stored) or the stored key; resolves to the account and credits. */
  testApiKey(candidate: string | null): Promise<Account>;
  settings(): Promise<SettingsView>;
  updateSettings(settings: SettingsView): Promise<SettingsView>;
  /**
   * Sign in with HeyGen: Rust opens the system browser and waits (up to 5 minutes) for it to
   * come back; resolves to the account. Tokens never reach the web view.
   */
  signInWithHeygen(): Promise<Account>;
  /** Ends a sign-in that is waiting for the browser (it then rejects with `sign_in_cancelled`). */
  cancelSignIn(): Promise<void>;
  /** Revokes the HeyGen sign-in and removes it from the keyring. */
  signOut(): Promise<Connection>;
  /** Which stored credential requests use. */
  useCredential(kind: "api_key" | "oauth"): Promise<Connection>;
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

  // Batches (issue 14): CSV paths come from Rust (its dialog, or the window's drop event).
  pickBatchCsv(template: string | null): Promise<BatchPreview | null>;
  importDroppedBatch(path: string, template: string | null): Promise<BatchPreview>;
  editBatchCell(draftId: string, row: number, column: string, value: string): Promise<BatchPreview>;
  skipBatchRow(draftId: string, row: number, skipped: boolean): Promise<BatchPreview>;
  ignoreBatchColumn(draftId: string, column: string, ignored: boolean): Promise<BatchPreview>;
  startBatch(draftId: string, options: BatchOptionsInput): Promise<BatchView>;
  listBatches(): Promise<BatchView[]>;
  batchRows(batchId: string): Promise<BatchRowItem[]>;
  controlBatch(batchId: string, action: BatchControl): Promise<BatchView>;
  setBatchConcurrency(batchId: string, concurrency: number): Promise<BatchView>;
  /** Writes `<name>-results.csv` next to the imported CSV; resolves to its path. */
  exportBatchResults(batchId: string): Promise<string>;

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
  /** Opens the app's player on a job's video (or captioned video), for a box of `width` ×
   * `height` device pixels; `onState` gets its state on every change until it is closed. */
  openPlayer(
    jobId: string,
    file: PlayableFile,
    box: { width: number; height: number },
    autoplay: boolean,
    onState: (state: PlayerState) => void,
  ): Promise<OpenedPlayer>;
  controlPlayer(id: string, control: PlayerControl): Promise<void>;
  /** Shows a player's picture where the page placed it (the app paints the frames over the
   * page there), or hides it (`null`). */
  placePlayer(id: string, placement: PlayerPlacement | null): Promise<void>;
  closePlayer(id: string): Promise<void>;
  /** The text of a job's downloaded subtitles (SRT). */
  jobCaptions(jobId: string): Promise<string>;

  // Desktop.
  inspectFiles(paths: string[]): Promise<FileInfo[]>;
  pickFiles(): Promise<string[]>;
  /** The folder picker; the chosen folder becomes the library (Rust stores it). Null when
   * cancelled, else the saved settings. */
  pickFolder(): Promise<SettingsView | null>;
  /** A job's file (looked up by Rust in its store — the UI never names a path). */
  revealInFolder(jobId: string, file: JobFile): Promise<void>;
  openFile(jobId: string, file: JobFile): Promise<void>;
  /** Opens one of HeyGen's web pages in the browser (allow-listed by Rust). */
  openExternal(url: string): Promise<void>;
  copyText(text: string): Promise<void>;
  onFileDrop(listener: (event: DropEvent) => void): Promise<Unsubscribe>;

  // Living on the desktop: one instance, the tray, notifications.
  /** Files handed over since the last call (the app takes them at start and on `onFilesOpened`). */
  takeOpenedFiles(): Promise<OpenedFiles>;
  /** A launch handed files over: call `takeOpenedFiles`. */
  onFilesOpened(listener: () => void): Promise<Unsubscribe>;
  /** A notification was clicked: show this job (its session when `session`). */
  onOpenJob(listener: (jobId: string, session: boolean) => void): Promise<Unsubscribe>;
  /** The window was closed while videos are being made: ask whether to keep working. */
  onCloseAsked(listener: (running: number, quitMessage: string) => void): Promise<Unsubscribe>;
  /** The answer (remembered): hide to the tray, or quit. */
  resolveClose(keepInTray: boolean): Promise<void>;
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
