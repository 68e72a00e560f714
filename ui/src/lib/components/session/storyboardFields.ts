// Storyboard metadata made readable. HeyGen does not publish the shape of a draft's metadata
// (spec §2.4), so Rust hands over whatever it did not recognise as `key → text` pairs; here the
// keys a person cares about are picked out (catalogue ids become names, times become clock
// times) and the rest goes behind a "Details" disclosure. Unknown keys are never dropped.
import type { CatalogueKind } from "../../backend";
import { formatClock, formatDuration, type Field } from "./chat";

/** A catalogue id in the metadata, shown by the item's name once it is known. */
export interface CatalogueRef {
  kind: CatalogueKind;
  id: string;
}

export interface ReadableField {
  label: string;
  value: string;
  /** Set when `value` is a catalogue id (show the name when the catalogue has it). */
  ref: CatalogueRef | null;
}

export interface ReadableFields {
  /** What a reviewer reads first (avatar, voice, style, orientation…). */
  primary: ReadableField[];
  /** Everything else, readable, behind "Details". */
  details: ReadableField[];
  /** A scene's start in the video, seconds (shown next to its number). */
  startSecs: number | null;
}

const REFS: Record<string, { kind: CatalogueKind; label: string }> = {
  "avatar id": { kind: "looks", label: "Avatar" },
  "avatar look id": { kind: "looks", label: "Avatar" },
  "look id": { kind: "looks", label: "Avatar" },
  avatar: { kind: "looks", label: "Avatar" },
  "voice id": { kind: "voices", label: "Voice" },
  voice: { kind: "voices", label: "Voice" },
  "style id": { kind: "styles", label: "Style" },
  style: { kind: "styles", label: "Style" },
  "brand kit id": { kind: "brandKits", label: "Brand kit" },
  "brand kit": { kind: "brandKits", label: "Brand kit" },
};
/** Shown first, as they are. */
const PRIMARY = new Set(["orientation", "aspect ratio", "language", "tone", "audience"]);
/** A scene's position: the card already shows "Scene n". */
const POSITION = new Set(["index", "idx", "scene index", "scene number", "number", "position"]);
const START = new Set([
  "start",
  "start time",
  "starts at",
  "start secs",
  "start seconds",
  "offset",
]);
const CLOCK = new Set(["end", "end time", "ends at", "end secs", "end seconds", "timestamp"]);
const DURATION = /(^|\s)(duration|length|secs|seconds)$/;

/** `avatar_id`, `Avatar-Id`, `avatar id` → `avatar id`. */
export function normalKey(key: string): string {
  return key
    .replace(/([a-z])([A-Z])/g, "$1 $2")
    .toLowerCase()
    .replace(/[_\-\s]+/g, " ")
    .trim();
}

function label(key: string): string {
  return key.charAt(0).toUpperCase() + key.slice(1);
}

function seconds(value: string): number | null {
  const n = Number.parseFloat(value);
  return /^\s*-?\d+(\.\d+)?\s*(s|sec|secs|seconds)?\s*$/i.test(value) && Number.isFinite(n)
    ? n
    : null;
}

/**
 * Sorts a storyboard's (or a scene's) leftover fields into what to show first and the rest.
 * `names` maps `kind:id` to a catalogue name; an id the catalogue lacks is shown as the id.
 */
export function readableFields(
  fields: Field[],
  names: Record<string, string> = {},
): ReadableFields {
  const primary: ReadableField[] = [];
  const details: ReadableField[] = [];
  let startSecs: number | null = null;
  const byKey = new Map(fields.map((f) => [normalKey(f.key), f.value]));
  const width = seconds(byKey.get("width") ?? "");
  const height = seconds(byKey.get("height") ?? "");
  const size = width !== null && height !== null;

  for (const field of fields) {
    const key = normalKey(field.key);
    const value = field.value;
    const ref = REFS[key];
    if (ref && value.trim()) {
      const id = value.trim();
      primary.push({
        label: ref.label,
        value: names[refKey({ kind: ref.kind, id })] ?? id,
        ref: { kind: ref.kind, id },
      });
    } else if (POSITION.has(key) && seconds(value) !== null) {
      continue;
    } else if (START.has(key) && seconds(value) !== null) {
      startSecs = seconds(value);
    } else if (CLOCK.has(key) && seconds(value) !== null) {
      details.push({ label: label(key), value: formatClock(seconds(value)!), ref: null });
    } else if (DURATION.test(key) && seconds(value) !== null) {
      details.push({ label: label(key), value: formatDuration(seconds(value))!, ref: null });
    } else if (size && (key === "width" || key === "height")) {
      if (key === "width")
        details.push({ label: "Size", value: `${width} × ${height}`, ref: null });
    } else if (PRIMARY.has(key)) {
      primary.push({ label: label(key), value, ref: null });
    } else {
      details.push({ label: label(key), value, ref: null });
    }
  }
  return { primary, details, startSecs };
}

export function refKey(ref: CatalogueRef): string {
  return `${ref.kind}:${ref.id}`;
}

/** Every catalogue id mentioned in these field lists, once. */
export function catalogueRefs(lists: Field[][]): CatalogueRef[] {
  const seen = new Map<string, CatalogueRef>();
  for (const fields of lists) {
    for (const f of readableFields(fields).primary) {
      if (f.ref) seen.set(refKey(f.ref), f.ref);
    }
  }
  return [...seen.values()];
}
