// Catalogue ids (avatar looks, voices, styles, brand kits) to the names people know them by,
// for storyboard cards. Pages come from the same `catalogue` call the pickers use (Rust caches
// them in the store); a few pages at most are read per catalogue, so an id deep in a huge
// catalogue simply stays an id.
import type { Backend, CatalogueKind } from "../../backend";
import type { CatalogueRef } from "./storyboardFields";

const MAX_PAGES = 3;

interface Loaded {
  names: Map<string, string>;
  next: string | null;
  pages: number;
  /** The page being read, so concurrent look-ups share it. */
  reading: Promise<void> | null;
}

const cache = new WeakMap<Pick<Backend, "catalogue">, Map<CatalogueKind, Loaded>>();

function loaded(backend: Pick<Backend, "catalogue">, kind: CatalogueKind): Loaded {
  let kinds = cache.get(backend);
  if (!kinds) cache.set(backend, (kinds = new Map()));
  let entry = kinds.get(kind);
  if (!entry) kinds.set(kind, (entry = { names: new Map(), next: null, pages: 0, reading: null }));
  return entry;
}

async function readPage(backend: Pick<Backend, "catalogue">, kind: CatalogueKind, entry: Loaded) {
  const page = await backend.catalogue(kind, entry.pages === 0 ? null : entry.next);
  for (const item of page.items) entry.names.set(item.id, item.name);
  entry.next = page.nextToken;
  entry.pages += 1;
}

/** The catalogue name for `ref`, or `null` when the first pages do not have it (or fail). */
export async function catalogueName(
  backend: Pick<Backend, "catalogue">,
  ref: CatalogueRef,
): Promise<string | null> {
  const entry = loaded(backend, ref.kind);
  try {
    while (!entry.names.has(ref.id) && entry.pages < MAX_PAGES) {
      if (entry.pages > 0 && entry.next === null) break;
      entry.reading ??= readPage(backend, ref.kind, entry).finally(() => (entry.reading = null));
      await entry.reading;
    }
  } catch {
    return null;
  }
  return entry.names.get(ref.id) ?? null;
}
