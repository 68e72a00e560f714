// The one way components reach the backend: App provides it through Svelte context and every
// screen and component asks `useBackend()` (tests provide a mock the same way). The query cache
// belongs to the backend it reads from, so every screen shares one and its event subscription.
import { getContext, setContext } from "svelte";
import type { Backend } from "../backend";
import { BACKEND } from "./actions";
import { QueryCache } from "./queries.svelte";

export function provideBackend(backend: Backend) {
  setContext(BACKEND, backend);
}

/** The backend App provided; throws when there is none (a component rendered without it). */
export function useBackend(): Backend {
  const backend = getContext<Backend | undefined>(BACKEND);
  if (!backend) throw new Error("No backend in context: App provides it (tests: `context`).");
  return backend;
}

/** The backend when there is one: some components also render bare in component tests. */
export function useOptionalBackend(): Backend | undefined {
  return getContext<Backend | undefined>(BACKEND);
}

const caches = new WeakMap<Backend, QueryCache>();

/** The query cache of `backend`, following its events from the first use on. */
export function queriesFor(backend: Backend): QueryCache {
  let cache = caches.get(backend);
  if (!cache) {
    cache = new QueryCache();
    void cache.follow(backend);
    caches.set(backend, cache);
  }
  return cache;
}
