// The Backend over Tauri IPC, using the generated, typed bindings.
import { convertFileSrc } from "@tauri-apps/api/core";
import { commands } from "./bindings";
import { type Backend, type CommandError, type PlayerState, toBackendError } from "./backend";
import { EventPump } from "./events";

/** What every generated command resolves to. */
type Result<T, E> = { status: "ok"; data: T } | { status: "error"; error: E };

/** Unwraps a command's `Result`, throwing `BackendError` on failure. */
async function call<T>(pending: Promise<Result<T, CommandError>>): Promise<T> {
  let result: Result<T, CommandError>;
  try {
    result = await pending;
  } catch (error) {
    throw toBackendError(error);
  }
  if (result.status === "error") throw toBackendError(result.error);
  return result.data;
}

export function createTauriBackend(): Backend {
  const events = new EventPump((after) => call(commands.nextEvents(after)));
  const players = new PlayerStates(events);
  return {
    kind: "tauri",
    appInfo: () => call(commands.appInfo()),
    onSystemThemeChanged: (listener) =>
      events.on("systemThemeChanged", (changed) => listener(changed.theme)),
    onEventsMissed: (listener) => events.onMissed(listener),

    connection: () => call(commands.connection()),
    setApiKey: (key) => call(commands.setApiKey(key)),
    removeApiKey: () => call(commands.removeApiKey()),
    testApiKey: (candidate) => call(commands.testApiKey(candidate)),
    settings: () => call(commands.getSettings()),
    updateSettings: (settings) => call(commands.updateSettings(settings)),
    signInWithHeygen: () => call(commands.signInWithHeygen()),
    cancelSignIn: async () => {
      await call(commands.cancelSignIn());
    },
    signOut: () => call(commands.signOut()),
    useCredential: (kind) => call(commands.useCredential(kind)),
    onConnectionChanged: (listener) => events.on("connectionChanged", listener),

    submitJob: (input) => call(commands.submitJob(input)),
    listJobs: (offset, limit) => call(commands.listJobs(offset, limit)),
    stopJob: (id) => call(commands.stopJob(id)),
    retryJob: (id) => call(commands.retryJob(id)),
    deleteJob: (id, removeFiles, onServer) => call(commands.deleteJob(id, removeFiles, onServer)),
    loadDraft: () => call(commands.loadDraft()),
    saveDraft: (draft) => call(commands.saveDraft(draft)).then(() => undefined),
    onJobChanged: (listener) => events.on("jobChanged", (changed) => listener(changed.job)),
    onTransferProgress: (listener) => events.on("transferProgress", listener),
    onRateLimited: (listener) =>
      events.on("rateLimited", (limited) => listener(limited.retryAfterSecs)),
    onJobWarning: (listener) =>
      events.on("jobWarning", (warning) => listener(warning.jobId, toBackendError(warning.error))),

    catalogue(kind, token, tag) {
      switch (kind) {
        case "styles":
          return call(commands.listStyles(tag ?? null, token));
        case "looks":
          return call(commands.listAvatarLooks(token));
        case "voices":
          return call(commands.listVoices(token));
        case "brandKits":
          return call(commands.listBrandKits(token));
      }
    },
    // Chat sessions (issue 6).
    chatThread: (id) => call(commands.chatThread(id)),
    chatRefresh: (id) => call(commands.chatRefresh(id)),
    openSession: (sessionId) => call(commands.openSession(sessionId)),
    chatReply: (id, reply) => call(commands.chatReply(id, reply)),
    chatApprove: (id) => call(commands.chatApprove(id)),
    chatRequestChanges: (id, changes) => call(commands.chatRequestChanges(id, changes)),
    chatStop: (id) => call(commands.chatStop(id)),
    listSessions: (token) => call(commands.listSessions(token)),
    onSessionChanged: (listener) => events.on("sessionChanged", listener),

    pickBatchCsv: (template) => call(commands.pickBatchCsv(template)),
    importDroppedBatch: (path, template) => call(commands.importDroppedBatch(path, template)),
    editBatchCell: (draftId, row, column, value) =>
      call(commands.editBatchCell(draftId, row, column, value)),
    skipBatchRow: (draftId, row, skipped) => call(commands.skipBatchRow(draftId, row, skipped)),
    ignoreBatchColumn: (draftId, column, ignored) =>
      call(commands.ignoreBatchColumn(draftId, column, ignored)),
    startBatch: (draftId, options) => call(commands.startBatch(draftId, options)),
    listBatches: () => call(commands.listBatches()),
    batchRows: (batchId) => call(commands.batchRows(batchId)),
    controlBatch: (batchId, action) => call(commands.controlBatch(batchId, action)),
    setBatchConcurrency: (batchId, n) => call(commands.setBatchConcurrency(batchId, n)),
    exportBatchResults: (batchId) => call(commands.exportBatchResults(batchId)),

    cachedMedia: (url) => call(commands.cachedMedia(url)),
    mediaSrc: (path) => convertFileSrc(path),
    openPlayer: (jobId, file, box, autoplay, onState) =>
      players.open(onState, () =>
        call(commands.playerOpen(jobId, file, box.width, box.height, autoplay)),
      ),
    controlPlayer: (id, control) => call(commands.playerControl(id, control)).then(() => {}),
    placePlayer: (id, placement) => call(commands.playerView(id, placement)).then(() => {}),
    closePlayer: (id) => {
      players.forget(id);
      return call(commands.playerClose(id)).then(() => {});
    },
    jobCaptions: (jobId) => call(commands.jobCaptions(jobId)),

    inspectFiles: (paths) => call(commands.inspectFiles(paths)),
    pickFiles: () => call(commands.pickFiles()),
    pickFolder: () => call(commands.pickFolder()),
    revealInFolder: (jobId, file) =>
      call(commands.revealInFolder(jobId, file)).then(() => undefined),
    openFile: (jobId, file) => call(commands.openFile(jobId, file)).then(() => undefined),
    openExternal: (url) => call(commands.openExternal(url)).then(() => undefined),
    async copyText(text) {
      try {
        await navigator.clipboard.writeText(text);
      } catch {
        // Older WebKitGTK builds refuse the async clipboard; the selection route still works.
        const area = document.createElement("textarea");
        area.value = text;
        document.body.append(area);
        area.select();
        document.execCommand("copy");
        area.remove();
      }
    },
    takeOpenedFiles: () => call(commands.takeOpenedFiles()),
    onFilesOpened: (listener) => events.on("filesOpened", () => listener()),
    onOpenJob: (listener) => events.on("openJob", (open) => listener(open.jobId, open.session)),
    onCloseAsked: (listener) =>
      events.on("closeAsked", (asked) => listener(asked.running, asked.quitMessage)),
    resolveClose: (keepInTray) => call(commands.resolveClose(keepInTray)).then(() => undefined),
    // The window's drag and drop, from Rust (a DOM drop carries no absolute paths).
    onFileDrop: (listener) => events.on("fileDrop", listener),
  };
}

/**
 * Hands each player's `playerState` events to the page that opened it. Rust publishes a
 * player's first state as soon as it exists, which may arrive before `player_open` answers
 * with its id: the newest state of a player nobody claimed yet is kept until it is claimed
 * (each state is whole, so the newest is all that matters).
 */
export class PlayerStates {
  #owners = new Map<string, (state: PlayerState) => void>();
  #unclaimed = new Map<string, PlayerState>();
  /** Opens on their way: only then is a state nobody claimed worth keeping. */
  #opening = 0;
  #following: Promise<unknown> | null = null;

  constructor(private readonly events: EventPump) {}

  async open(onState: (state: PlayerState) => void, open: () => Promise<{ id: string }>) {
    await this.#follow();
    this.#opening += 1;
    try {
      const opened = await open();
      this.#owners.set(opened.id, onState);
      const early = this.#unclaimed.get(opened.id);
      if (early) onState(early);
      return opened;
    } finally {
      this.#opening -= 1;
      if (this.#opening === 0) this.#unclaimed.clear();
    }
  }

  forget(id: string) {
    this.#owners.delete(id);
  }

  #follow() {
    this.#following ??= this.events
      .on("playerState", ({ id, state }) => {
        const owner = this.#owners.get(id);
        if (owner) owner(state);
        else if (this.#opening > 0) this.#unclaimed.set(id, state);
      })
      .catch((error: unknown) => {
        this.#following = null;
        throw error;
      });
    return this.#following;
  }
}
