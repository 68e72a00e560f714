// Where the app is: the screen shown and what a screen was asked to show (a session, a batch,
// a job's row, a dropped CSV). App.svelte and the events that move the user (a notification
// click, files handed over) change it through these methods only.
import type { ScreenId } from "./navigation";

export class Navigator {
  screen = $state<ScreenId>("create");
  /** The chat session the Sessions screen shows (a job id or a session id), or the list. */
  openSessionId = $state<string | null>(null);
  /** A CSV dropped on the window or handed over: the Batches screen imports it. */
  droppedCsv = $state<string | null>(null);
  /** The batch the Library's "Open in Batches" asked the Batches screen to show. */
  openBatchId = $state<string | null>(null);
  /** The job a notification click asked to show in the Library. */
  focusJobId = $state<string | null>(null);
  /** The user left the welcome (to enter a key, or by using the app). */
  welcomeDismissed = $state(false);
  /** Settings should put the cursor in the key field (from the welcome's "Enter a key"). */
  focusKey = $state(false);

  constructor(initial: ScreenId = "create") {
    this.screen = initial;
  }

  /** The sidebar: Sessions opens on its list. */
  navigate(next: ScreenId) {
    if (next === "sessions") this.openSessionId = null;
    this.screen = next;
  }

  go(next: ScreenId) {
    this.screen = next;
  }

  openSession(id: string) {
    this.openSessionId = id;
    this.screen = "sessions";
  }

  openBatch(id: string) {
    this.openBatchId = id;
    this.screen = "batches";
  }

  /** A CSV to import as a batch (dropped, or handed over by "Open with"). */
  importCsv(path: string) {
    this.welcomeDismissed = true;
    this.droppedCsv = path;
    this.screen = "batches";
  }

  /** A notification was clicked: its session, or its row in the Library. */
  showJob(jobId: string, session: boolean) {
    this.welcomeDismissed = true;
    if (session) this.openSession(jobId);
    else {
      this.focusJobId = jobId;
      this.screen = "library";
    }
  }

  /** Files to attach arrived (dropped, handed over): Create shows them. */
  attach() {
    this.welcomeDismissed = true;
    this.screen = "create";
  }

  /** The welcome's "Enter a key". */
  enterKey() {
    this.welcomeDismissed = true;
    this.focusKey = true;
    this.screen = "settings";
  }
}
