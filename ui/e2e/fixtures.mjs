// Files the end-to-end tests attach: real PNGs (ImageMagick) and a Windows executable header.
import { execFileSync } from "node:child_process";
import assert from "node:assert/strict";
import { copyFileSync, existsSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before } from "node:test";
import { appBinary } from "./driver.mjs";

/**
 * For a test file: checks the app is built, makes the fixtures before its tests and removes
 * them after. Returns a function that gives the fixtures (made once the tests start).
 */
export function useFixtures() {
  let files;
  before(() => {
    assert.ok(existsSync(appBinary()), `app binary not found at ${appBinary()}; build it first`);
    files = makeFixtures();
  });
  after(
    () =>
      files && rmSync(files.dir, { recursive: true, force: true, maxRetries: 10, retryDelay: 200 }),
  );
  return () => files;
}

export function makeFixtures() {
  const dir = mkdtempSync(join(tmpdir(), "vas-e2e-files-"));
  const photo = join(dir, "sunflower.png");
  execFileSync("convert", [
    "-size",
    "640x360",
    "gradient:gold-darkorange",
    "-fill",
    "white",
    "-draw",
    "circle 320,180 320,80",
    photo,
  ]);
  const many = [];
  for (let i = 1; i <= 21; i += 1) {
    const copy = join(dir, `page-${String(i).padStart(2, "0")}.png`);
    copyFileSync(photo, copy);
    many.push(copy);
  }
  const exe = join(dir, "setup.exe");
  // "MZ" header plus padding: what a Windows program starts with; no accepted type sniffs as it.
  writeFileSync(exe, Buffer.concat([Buffer.from("MZ\x90\x00\x03\x00"), Buffer.alloc(2048, 0)]));
  return { dir, photo, many, exe };
}
