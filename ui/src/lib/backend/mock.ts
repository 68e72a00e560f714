// An in-memory Backend so the whole UI runs in a plain browser and in component tests.
import {
  ACTIVE_JOB_STATES,
  type Account,
  type AppInfo,
  type Backend,
  BackendError,
  type CatalogueItem,
  type CommandError,
  type Connection,
  type DropEvent,
  type OpenedFiles,
  type FileInfo,
  type JobInput,
  type JobView,
  type SettingsView,
  type Appearance,
  type TransferProgress,
} from "./backend";
import { createMockChat } from "../components/session/mockChat";
import { createMockPlayers } from "./mockPlayer";

export interface MockOptions {
  appInfo?: Partial<AppInfo>;
  /** Makes `appInfo()` fail with this error instead. */
  appInfoError?: CommandError;
  connection?: Partial<Connection>;
  jobs?: JobView[];
  styles?: CatalogueItem[];
  /** Voices and avatar looks the pickers list (default: MOCK_VOICES, MOCK_LOOKS). */
  voices?: CatalogueItem[];
  looks?: CatalogueItem[];
  /** Overrides what `testApiKey` reports about the account. */
  account?: Partial<Account>;
  /** Makes `submitJob` fail with this error. */
  submitError?: CommandError;
  /** What `inspectFiles` says about each path (default: a 1 KB PNG). */
  files?: Record<string, Partial<FileInfo>>;
}

type Listeners<T> = Set<(value: T) => void>;

export interface MockBackend extends Backend {
  /** Simulates the desktop switching theme. */
  emitSystemTheme(theme: Appearance): void;
  /** Simulates events from the app having been lost (the page fell far behind). */
  emitEventsMissed(): void;
  emitJob(job: JobView): void;
  emitDrop(event: DropEvent): void;
  emitRateLimited(seconds: number): void;
  /** Simulates a launch handing files over (the app then takes them). */
  emitOpenedFiles(files: OpenedFiles): void;
  /** Simulates a click on a notification. */
  emitOpenJob(jobId: string, session: boolean): void;
  /** Simulates closing the window while videos are being made. */
  emitCloseAsked(running: number, quitMessage: string): void;
  /**
   * Resolves once the app listens to the window's events (it starts after its first frame, as
   * in the desktop app, where an event sent before that is not seen).
   */
  listening(): Promise<void>;
  /** The answers given to the close question. */
  readonly closeAnswers: boolean[];
  /** How many times each method was called. */
  readonly calls: { appInfo: number; submitJob: JobInput[]; saveDraft: JobInput[] };
  /** The key the mock "keyring" holds (tests check it never leaves). */
  storedKey: string | null;
}

export const MOCK_APP_INFO: AppInfo = {
  productName: "Video Agent Studio",
  version: "0.0.0-mock",
  dataDir: "/home/you/.local/share/dev.videoagentstudio.desktop",
  libraryDir: "/home/you/Videos/Video Agent Studio",
  systemTheme: "light",
};

export const MOCK_STYLES: CatalogueItem[] = [
  ["style_cinematic_dusk", "Cinematic Dusk", ["cinematic"], "16:9"],
  ["style_retro_terminal", "Retro Terminal", ["retro-tech"], "16:9"],
  ["style_paper_cut", "Paper Cut", ["handmade"], "9:16"],
  ["style_bold_print", "Bold Print", ["print"], "1:1"],
].map(([id, name, tags, aspectRatio]) => ({
  id: id as string,
  name: name as string,
  image: null,
  preview: null,
  tags: tags as string[],
  aspectRatio: aspectRatio as string,
  detail: null,
  language: null,
  gender: null,
  private: false,
  unavailable: null,
}));

/** A catalogue item with every field; `fields` fills in what matters. */
export function catalogueItem(fields: Partial<CatalogueItem> & { id: string }): CatalogueItem {
  return {
    name: fields.id,
    image: null,
    preview: null,
    tags: [],
    aspectRatio: null,
    detail: null,
    language: null,
    gender: null,
    private: false,
    unavailable: null,
    ...fields,
  };
}

export const MOCK_VOICES: CatalogueItem[] = [
  ["voice_aria", "Aria", "English", "female", false],
  ["voice_finn", "Finn", "English", "male", false],
  ["voice_heidi", "Heidi", "German", "female", false],
  ["voice_clone_me", "My Voice (clone)", "English", "male", true],
  ["voice_clone_greta", "Greta (clone)", "German", "female", true],
].map(([id, name, language, gender, own]) =>
  catalogueItem({
    id: id as string,
    name: name as string,
    language: language as string,
    gender: gender as string,
    private: own as boolean,
    detail: `${language} · ${gender}`,
  }),
);

export const MOCK_LOOKS: CatalogueItem[] = [
  catalogueItem({ id: "look_ada_office", name: "Ada — Office", gender: "female" }),
  catalogueItem({ id: "look_me_twin", name: "My Twin — Default", gender: "male" }),
  catalogueItem({ id: "look_me_studio", name: "My Twin — Studio", unavailable: "Still training" }),
  catalogueItem({
    id: "look_me_outdoor",
    name: "My Twin — Outdoor",
    unavailable: "Waiting for consent",
  }),
];

export function emptyInput(): JobInput {
  return {
    prompt: "",
    mode: "generate",
    orientation: "landscape",
    styleId: null,
    avatarId: null,
    voiceId: null,
    brandKitId: null,
    files: [],
    incognito: false,
  };
}

/** Sets `active` from the state the way Rust does (`ACTIVE_JOB_STATES` comes from Rust). */
function withActive(job: JobView): JobView {
  job.active = (ACTIVE_JOB_STATES as readonly string[]).includes(job.state);
  return job;
}

export function mockJob(overrides: Partial<JobView> = {}): JobView {
  const now = Math.floor(Date.now() / 1000);
  return withActive({
    id: `job_${Math.random().toString(36).slice(2, 10)}`,
    state: "generating",
    active: true,
    title: "A short explainer",
    input: { ...emptyInput(), prompt: "A short explainer" },
    progress: 40,
    failureCode: null,
    failureMessage: null,
    shareUrl: null,
    videoPath: null,
    thumbnailPath: null,
    subtitlesPath: null,
    captionedVideoPath: null,
    videoDurationSecs: null,
    retryOf: null,
    sessionId: null,
    createdAt: now - 90,
    updatedAt: now,
    submittedAt: now - 85,
    ...overrides,
  });
}

export function createMockBackend(options: MockOptions = {}): MockBackend {
  const listeners = {
    theme: new Set() as Listeners<Appearance>,
    connection: new Set() as Listeners<Connection>,
    job: new Set() as Listeners<JobView>,
    transfer: new Set() as Listeners<TransferProgress>,
    rate: new Set() as Listeners<number>,
    drop: new Set() as Listeners<DropEvent>,
    opened: new Set() as Listeners<void>,
    openJob: new Set() as Listeners<{ jobId: string; session: boolean }>,
    closeAsked: new Set() as Listeners<{ running: number; quitMessage: string }>,
    missed: new Set() as Listeners<void>,
  };
  let opened: OpenedFiles = { attach: [], csv: [] };
  const closeAnswers: boolean[] = [];
  let startListening = () => {};
  const listening = new Promise<void>((resolve) => (startListening = resolve));
  const subscribe =
    <T>(set: Listeners<T>) =>
    async (listener: (value: T) => void) => {
      set.add(listener);
      return () => void set.delete(listener);
    };
  const emit = <T>(set: Listeners<T>, value: T) => {
    for (const listener of set) listener(value);
  };
  // A stored key by default, so the preview and tests open on the app (pass
  // `connection: { hasKey: false }` for the first-run welcome).
  let connection: Connection = {
    hasKey: true,
    keySource: "keyring",
    credential: "api_key",
    oauthSignedIn: false,
    oauthAccount: null,
    apiKeyLast4: "1234",
    signInUnavailable: null,
    offline: false,
    baseUrl: "https://api.heygen.com",
    offlineError: null,
    ...options.connection,
  };
  let settings: SettingsView = {
    libraryDir: null,
    effectiveLibraryDir: options.appInfo?.libraryDir ?? MOCK_APP_INFO.libraryDir,
    offlineMode: connection.offline,
    proxy: null,
    notifications: true,
    theme: "system",
    oauthClientId: null,
  };
  const jobs: JobView[] = (options.jobs ?? []).map((job) => withActive({ ...job }));
  let draft = emptyInput();
  const calls = { appInfo: 0, submitJob: [] as JobInput[], saveDraft: [] as JobInput[] };
  const setConnection = (next: Partial<Connection>) => {
    connection = { ...connection, ...next };
    emit(listeners.connection, connection);
    return connection;
  };

  const chat = createMockChat();
  const backend: MockBackend = {
    ...chat,
    kind: "mock",
    calls,
    storedKey: connection.hasKey ? "sample-key" : null,
    async appInfo() {
      calls.appInfo += 1;
      if (options.appInfoError) throw new BackendError(options.appInfoError);
      return { ...MOCK_APP_INFO, ...options.appInfo };
    },
    onSystemThemeChanged: subscribe(listeners.theme),
    emitSystemTheme: (theme) => emit(listeners.theme, theme),
    onEventsMissed: subscribe(listeners.missed),
    emitEventsMissed: () => emit(listeners.missed, undefined),

    connection: async () => connection,
    async setApiKey(key) {
      if (!key.trim())
        throw new BackendError({
          code: "key_empty",
          message: "Paste your HeyGen API key first.",
          param: "api_key",
        });
      backend.storedKey = key.trim();
      return setConnection({
        hasKey: true,
        keySource: "keyring",
        credential: "api_key",
        apiKeyLast4: key.trim().slice(-4),
      });
    },
    async removeApiKey() {
      backend.storedKey = null;
      return setConnection({
        hasKey: connection.oauthSignedIn,
        keySource: null,
        apiKeyLast4: null,
        credential: connection.oauthSignedIn ? "oauth" : null,
      });
    },
    async signInWithHeygen() {
      if (connection.signInUnavailable)
        throw new BackendError({
          code: "oauth_client_id_missing",
          message: connection.signInUnavailable,
        });
      setConnection({
        hasKey: true,
        credential: "oauth",
        oauthSignedIn: true,
        oauthAccount: "Sample Account (you@example.com)",
      });
      return backend.testApiKey(null);
    },
    async cancelSignIn() {},
    async signOut() {
      return setConnection({
        hasKey: backend.storedKey !== null,
        credential: backend.storedKey !== null ? "api_key" : null,
        oauthSignedIn: false,
        oauthAccount: null,
      });
    },
    async useCredential(kind) {
      return setConnection({ credential: kind });
    },
    async testApiKey(candidate): Promise<Account> {
      const key = candidate ?? backend.storedKey;
      if (!key && !connection.offline && !connection.oauthSignedIn)
        throw new BackendError({ code: "no_api_key", message: "No API key is set." });
      if (key === "bad")
        throw new BackendError({
          code: "unauthorized",
          message: "The API key was not accepted.",
          request_id: "req_mock",
        });
      return {
        name: "Sample Account",
        username: "sample",
        email: "you@example.com",
        billingType: "wallet",
        balance: 120,
        balanceUnit: "credits",
        offline: connection.offline,
        plan: null,
        creditsResetAt: null,
        includedCredits: null,
        spendingCurrentUsd: null,
        spendingCapUsd: null,
        autoReload: null,
        ...options.account,
      };
    },
    settings: async () => settings,
    async updateSettings(next) {
      settings = {
        ...next,
        effectiveLibraryDir: next.libraryDir ?? MOCK_APP_INFO.libraryDir,
      };
      setConnection({ offline: next.offlineMode });
      return settings;
    },
    onConnectionChanged: subscribe(listeners.connection),

    async submitJob(input) {
      calls.submitJob.push(input);
      if (options.submitError) throw new BackendError(options.submitError);
      const job = mockJob({
        state: "submitted",
        title: null,
        input,
        progress: null,
      });
      if (input.mode === "chat") {
        // The scripted agent answers after a moment, so the preview shows a live session.
        job.sessionId = `sess_${job.id}`;
        chat.addSession(job.sessionId, input.prompt, job.id);
        setTimeout(() => chat.advance(job.sessionId!), 1500);
      }
      jobs.unshift(job);
      emit(listeners.job, job);
      return job;
    },
    async listJobs(offset, limit) {
      return { jobs: jobs.slice(offset, offset + limit), total: jobs.length };
    },
    async stopJob(id) {
      const job = jobs.find((j) => j.id === id);
      if (!job) throw new BackendError({ code: "not_found", message: "No such job." });
      job.state = "stopped";
      emit(listeners.job, withActive(job));
      return job;
    },
    async retryJob(id) {
      const job = jobs.find((j) => j.id === id);
      if (!job) throw new BackendError({ code: "not_found", message: "No such job." });
      return backend.submitJob(job.input);
    },
    async deleteJob(id) {
      const index = jobs.findIndex((j) => j.id === id);
      if (index >= 0) jobs.splice(index, 1);
      return index >= 0;
    },
    loadDraft: async () => draft,
    async saveDraft(next) {
      calls.saveDraft.push(next);
      draft = next;
    },
    onJobChanged: subscribe(listeners.job),
    onTransferProgress: subscribe(listeners.transfer),
    onRateLimited: subscribe(listeners.rate),
    onJobWarning: async () => () => undefined,
    emitJob(job) {
      withActive(job);
      const index = jobs.findIndex((j) => j.id === job.id);
      if (index >= 0) jobs[index] = job;
      else jobs.unshift(job);
      emit(listeners.job, job);
    },
    emitRateLimited: (seconds) => emit(listeners.rate, seconds),

    async catalogue(kind, token, tag) {
      if (kind === "voices" || kind === "looks") {
        const items =
          kind === "voices" ? (options.voices ?? MOCK_VOICES) : (options.looks ?? MOCK_LOOKS);
        return { items, nextToken: null, fromCache: false };
      }
      if (kind !== "styles") return { items: [], nextToken: null, fromCache: false };
      const all = (options.styles ?? MOCK_STYLES).filter((s) => !tag || s.tags.includes(tag));
      const start = token ? Number(token) : 0;
      const items = all.slice(start, start + 24);
      const next = start + 24 < all.length ? String(start + 24) : null;
      return { items, nextToken: next, fromCache: false };
    },
    cachedMedia: async (url) => url,
    mediaSrc: (path) => path,
    ...createMockPlayers(),
    jobCaptions: async () => "1\n00:00:00,000 --> 00:00:02,000\nA caption\n",

    async inspectFiles(paths) {
      return paths.map((path) => ({
        path,
        name: path.split("/").pop() ?? path,
        size: 1024,
        mime: "image/png",
        problem: null,
        ...options.files?.[path],
      }));
    },
    pickFiles: async () => [],
    // Batches: the browser preview has no files to import; it shows an empty Batches screen.
    pickBatchCsv: async () => null,
    importDroppedBatch: async () => {
      throw new Error("Importing a CSV needs the desktop app");
    },
    editBatchCell: async () => {
      throw new Error("no batch draft");
    },
    skipBatchRow: async () => {
      throw new Error("no batch draft");
    },
    ignoreBatchColumn: async () => {
      throw new Error("no batch draft");
    },
    startBatch: async () => {
      throw new Error("no batch draft");
    },
    listBatches: async () => [],
    batchRows: async () => [],
    controlBatch: async () => {
      throw new Error("no such batch");
    },
    setBatchConcurrency: async () => {
      throw new Error("no such batch");
    },
    exportBatchResults: async () => {
      throw new Error("no such batch");
    },
    pickFolder: async () => null,
    revealInFolder: async () => undefined,
    openFile: async () => undefined,
    openExternal: async () => undefined,
    copyText: async () => undefined,
    onFileDrop: subscribe(listeners.drop),
    emitDrop: (event) => emit(listeners.drop, event),

    async takeOpenedFiles() {
      const taken = opened;
      opened = { attach: [], csv: [] };
      return taken;
    },
    onFilesOpened: subscribe(listeners.opened),
    emitOpenedFiles(files) {
      opened = { attach: [...opened.attach, ...files.attach], csv: [...opened.csv, ...files.csv] };
      emit(listeners.opened, undefined);
    },
    onOpenJob: async (listener) =>
      subscribe(listeners.openJob)(({ jobId, session }) => listener(jobId, session)),
    emitOpenJob: (jobId, session) => emit(listeners.openJob, { jobId, session }),
    onCloseAsked: async (listener) => {
      startListening();
      return subscribe(listeners.closeAsked)(({ running, quitMessage }) =>
        listener(running, quitMessage),
      );
    },
    listening: () => listening,
    emitCloseAsked: (running, quitMessage) => emit(listeners.closeAsked, { running, quitMessage }),
    closeAnswers,
    async resolveClose(keepInTray) {
      closeAnswers.push(keepInTray);
    },
  };
  return backend;
}
