// What screens read from the backend, cached and kept current by the events Rust pushes rather
// than by timers: a query is read again only when an event says its data changed, and only
// while a screen shows it (one hidden meanwhile is read again when it is shown).
import { type BackendError, toBackendError, type Unsubscribe } from "../backend";
import type { ChatBackend, SessionChanged } from "../components/session/chat";

/** Something the engine pushed that may make cached reads stale. */
export type Change = { kind: "session"; session: SessionChanged };

/** One cached read: its latest data or error, re-read on the changes that affect it. */
export class Query<T> {
  data = $state.raw<T | null>(null);
  error = $state.raw<BackendError | null>(null);
  /** Screens showing it: only shown queries are read again on a change. */
  watchers = 0;
  /** A change arrived while nobody showed it: read again on the next watch. */
  stale = true;
  private running: Promise<void> | null = null;
  private again = false;

  constructor(
    private readonly read: () => Promise<T>,
    /** Whether `change` makes this query's data stale (`data` is what it holds now). */
    readonly affectedBy: (change: Change, data: T | null) => boolean,
  ) {}

  /**
   * Reads (after the events that arrive together: one read answers them all). Asked again while
   * a read runs, it reads once more after it (the running read may have missed the change).
   */
  refresh(): Promise<void> {
    this.stale = false;
    if (this.running) {
      this.again = true;
      return this.running;
    }
    this.running = (async () => {
      await null;
      try {
        do {
          this.again = false;
          try {
            this.data = await this.read();
            this.error = null;
          } catch (e) {
            this.error = toBackendError(e);
          }
        } while (this.again);
      } finally {
        this.running = null;
      }
    })();
    return this.running;
  }
}

/** Where screens get their queries; it listens to the backend's events once for all of them. */
export class QueryCache {
  // Bookkeeping, not rendered: each Query holds its own reactive state.
  // eslint-disable-next-line svelte/prefer-svelte-reactivity
  private readonly queries = new Map<string, Query<unknown>>();

  /**
   * The query under `key` (made with `read` the first time), watched until the returned `stop`:
   * it is read now unless a current copy is cached.
   */
  watch<T>(
    key: string,
    read: () => Promise<T>,
    affectedBy: (change: Change, data: T | null) => boolean,
  ): { query: Query<T>; stop: () => void } {
    let query = this.queries.get(key) as Query<T> | undefined;
    if (!query) {
      query = new Query(read, affectedBy);
      this.queries.set(key, query as Query<unknown>);
    }
    query.watchers += 1;
    if (query.stale) void query.refresh();
    const watched = query;
    let stopped = false;
    return {
      query: watched,
      stop: () => {
        if (stopped) return;
        stopped = true;
        watched.watchers -= 1;
      },
    };
  }

  /** An event arrived: shown queries it affects are read again, hidden ones later. */
  notify(change: Change) {
    for (const query of this.queries.values()) {
      if (!query.affectedBy(change, query.data)) continue;
      if (query.watchers > 0) void query.refresh();
      else query.stale = true;
    }
  }

  /** Subscribes to the events that invalidate queries; resolves to the unsubscribe. */
  follow(source: Pick<ChatBackend, "onSessionChanged">): Promise<Unsubscribe> {
    return source.onSessionChanged((session) => this.notify({ kind: "session", session }));
  }
}
