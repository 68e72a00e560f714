// The Backend over Tauri IPC, using the generated, typed bindings.
import { Channel, convertFileSrc } from "@tauri-apps/api/core";
import { getCurrentWebview } from "@tauri-apps/api/webview";
import { commands, events, type PlayerState_Deserialize } from "./bindings";
import { type Backend, type CommandError, type PlayerState, toBackendError } from "./backend";

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
  return {
    kind: "tauri",
    appInfo: () => call(commands.appInfo()),
    async onSystemThemeChanged(listener) {
      return events.systemThemeChanged.listen((event) => listener(event.payload.theme));
    },

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
    onConnectionChanged: (listener) =>
      events.connectionChanged.listen((event) => listener(event.payload)),

    submitJob: (input) => call(commands.submitJob(input)),
    listJobs: (offset, limit) => call(commands.listJobs(offset, limit)),
    stopJob: (id) => call(commands.stopJob(id)),
    retryJob: (id) => call(commands.retryJob(id)),
    deleteJob: (id, removeFiles, onServer) => call(commands.deleteJob(id, removeFiles, onServer)),
    loadDraft: () => call(commands.loadDraft()),
    saveDraft: (draft) => call(commands.saveDraft(draft)).then(() => undefined),
    onJobChanged: (listener) => events.jobChanged.listen((event) => listener(event.payload.job)),
    onTransferProgress: (listener) =>
      events.transferProgress.listen((event) => listener(event.payload)),
    onRateLimited: (listener) =>
      events.rateLimited.listen((event) => listener(event.payload.retryAfterSecs)),
    onJobWarning: (listener) =>
      events.jobWarning.listen((event) =>
        listener(event.payload.jobId, toBackendError(event.payload.error)),
      ),

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
    onSessionChanged: (listener) =>
      events.sessionChanged.listen((event) => listener(event.payload)),

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
    openPlayer(jobId, file, box, autoplay, onState) {
      const events = new Channel<PlayerState_Deserialize>();
      // Rust sends every field (the Serialize shape); the binding names the accepting shape.
      events.onmessage = (state) => onState(state as PlayerState);
      return call(commands.playerOpen(jobId, file, box.width, box.height, autoplay, events));
    },
    controlPlayer: (id, control) => call(commands.playerControl(id, control)).then(() => {}),
    closePlayer: (id) => call(commands.playerClose(id)).then(() => {}),
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
    onFilesOpened: (listener) => events.filesOpened.listen(() => listener()),
    onOpenJob: (listener) =>
      events.openJob.listen((event) => listener(event.payload.jobId, event.payload.session)),
    onCloseAsked: (listener) =>
      events.closeAsked.listen((event) =>
        listener(event.payload.running, event.payload.quitMessage),
      ),
    resolveClose: (keepInTray) => call(commands.resolveClose(keepInTray)).then(() => undefined),
    async onFileDrop(listener) {
      // The webview's own drag-drop events carry absolute paths (a DOM drop does not).
      return getCurrentWebview().onDragDropEvent((event) => {
        const payload = event.payload;
        if (payload.type === "enter" || payload.type === "over") listener({ kind: "enter" });
        else if (payload.type === "leave") listener({ kind: "leave" });
        else listener({ kind: "drop", paths: payload.paths });
      });
    },
  };
}
