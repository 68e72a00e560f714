// Screens other than Create (the first one) are separate chunks, each loaded when it is first
// wanted (issue 17): when the pointer or the keyboard focus reaches its sidebar entry, so it is
// normally here by the time the click lands, or when it is opened some other way (a
// notification, a second launch). Not all of them in the background after start-up: a screen the
// user never opens then costs no script, styles or memory (2.1 MiB of the web process at idle).
// Until a screen is here, App shows a short "Loading…" status.
import type { Component } from "svelte";

const LOADERS = {
  styles: () => import("./Styles.svelte"),
  library: () => import("./Library.svelte"),
  batches: () => import("./Batches.svelte"),
  sessions: () => import("./Sessions.svelte"),
  session: () => import("./Session.svelte"),
  settings: () => import("./Settings.svelte"),
};

export type LazyScreenId = keyof typeof LOADERS;
type Loaded = {
  [K in LazyScreenId]: Awaited<ReturnType<(typeof LOADERS)[K]>>["default"];
};

export class LazyScreens {
  /** The screens loaded so far (a component is set once and never changes). */
  loaded = $state.raw<Partial<Loaded>>({});
  /** The last load that failed (a chunk the web view could not fetch), to show and retry. */
  failed = $state.raw<{ id: LazyScreenId; message: string } | null>(null);
  // Not reactive: only load() reads it.
  // eslint-disable-next-line svelte/prefer-svelte-reactivity
  #pending = new Map<LazyScreenId, Promise<void>>();
  #loaders: { [K in LazyScreenId]: () => Promise<{ default: Loaded[K] }> };

  constructor(loaders = LOADERS) {
    this.#loaders = loaders;
  }

  /** Loads one screen (once; concurrent calls share the request). */
  load(id: LazyScreenId): Promise<void> {
    if (this.loaded[id]) return Promise.resolve();
    let pending = this.#pending.get(id);
    if (!pending) {
      const loader = this.#loaders[id];
      pending = loader()
        .then((module) => {
          this.loaded = { ...this.loaded, [id]: module.default as Component };
          if (this.failed?.id === id) this.failed = null;
        })
        .catch((error: unknown) => {
          this.failed = { id, message: error instanceof Error ? error.message : String(error) };
        })
        .finally(() => this.#pending.delete(id));
      this.#pending.set(id, pending);
    }
    return pending;
  }

  /** Loads every screen, one after another (tests render with all of them here). */
  async loadAll(): Promise<void> {
    for (const id of Object.keys(this.#loaders) as LazyScreenId[]) await this.load(id);
  }
}

/** The app's screens (one set per page; tests load them all before rendering, see setup.ts). */
export const screens = new LazyScreens();

/**
 * Runs `work` once the page's first frame has been painted and the browser is idle (or after a
 * short delay where `requestIdleCallback` is missing), so it competes with nothing the user sees.
 */
export function afterFirstFrame(work: () => void): void {
  requestAnimationFrame(() =>
    setTimeout(() => {
      if (typeof window.requestIdleCallback === "function") {
        window.requestIdleCallback(() => work(), { timeout: 1_000 });
      } else {
        setTimeout(work, 50);
      }
    }, 0),
  );
}
