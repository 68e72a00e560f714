// Shadows WebKitGTK paints slowly (issue 17): without a GPU the app paints with WebKit's CPU
// path, where a blur under 4 px is drawn the slow way — one repaint of the gallery's 20 cards
// took 55-65 ms with "0 1px 3px", 13 ms with "0 1px 4px" (ui/e2e/bench/timeline-probe.mjs).
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";

const SRC = join(import.meta.dirname, "..", "src");
const FAST_BLUR_PX = 4;

function sources(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) return sources(path);
    return /\.(css|svelte)$/.test(entry.name) ? [path] : [];
  });
}

/** Splits a declaration value at top-level commas (not those inside `rgb(…)`). */
function layers(value: string): string[] {
  const out: string[] = [];
  let depth = 0;
  let current = "";
  for (const ch of value) {
    if (ch === "(") depth += 1;
    if (ch === ")") depth -= 1;
    if (ch === "," && depth === 0) {
      out.push(current.trim());
      current = "";
    } else current += ch;
  }
  out.push(current.trim());
  return out;
}

/** The blur radius of one shadow layer in px (0 when it has none; NaN when not in px). */
function blurPx(layer: string): number {
  const withoutColours = layer.replace(/[a-z-]+\([^)]*\)/gi, " ");
  const lengths = withoutColours
    .split(/\s+/)
    .filter((token) => /^-?\d*\.?\d+(px)?$/.test(token) || /^var\(/.test(token));
  if (lengths.length < 3) return 0;
  const blur = lengths[2] ?? "0";
  if (blur === "0") return 0;
  return blur.endsWith("px") ? Number.parseFloat(blur) : Number.NaN;
}

/** Every shadow declaration (box-shadow, text-shadow, --shadow-*) with its file and value. */
function shadowDeclarations(): { where: string; value: string }[] {
  const found: { where: string; value: string }[] = [];
  for (const file of sources(SRC)) {
    const text = readFileSync(file, "utf8");
    for (const m of text.matchAll(/(box-shadow|text-shadow|--shadow-[\w-]+)\s*:\s*([^;{}]+);/g)) {
      found.push({ where: `${file.slice(SRC.length + 1)}: ${m[1]}`, value: (m[2] ?? "").trim() });
    }
  }
  return found;
}

describe("shadows", () => {
  it("reads a layer's blur", () => {
    expect(blurPx("0 1px 3px rgb(20 20 30 / 6%)")).toBe(3);
    expect(blurPx("0 4px 12px rgb(0 0 0 / 25%)")).toBe(12);
    expect(blurPx("inset 3px 0 0 var(--border)")).toBe(0);
    expect(blurPx("inset 4px 0 0 var(--accent)")).toBe(0);
    expect(blurPx("0 1px 0 rgb(20 20 30 / 8%)")).toBe(0);
    expect(blurPx("none")).toBe(0);
  });

  it("finds the app's shadows", () => {
    expect(shadowDeclarations().map((d) => d.where)).toContain("app.css: --shadow-m");
  });

  it(`blur none or at least ${FAST_BLUR_PX} px (WebKitGTK's CPU painting draws smaller ones slowly)`, () => {
    const slow = shadowDeclarations().flatMap(({ where, value }) =>
      layers(value)
        .filter((layer) => {
          const blur = blurPx(layer);
          return blur > 0 && blur < FAST_BLUR_PX;
        })
        .map((layer) => `${where}: ${layer}`),
    );
    expect(slow).toEqual([]);
  });
});
