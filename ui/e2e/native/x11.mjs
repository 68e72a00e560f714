// The X side of the desktop e2e under Xvfb: finding, moving, closing and photographing real
// windows with xdotool and ImageMagick, as a user (or a window manager) would act on them.
import { execFileSync } from "node:child_process";
import { mkdirSync, statSync } from "node:fs";
import { join } from "node:path";
import assert from "node:assert/strict";
import { SHOTS_DIR } from "../driver.mjs";

export const sleep = (ms) => new Promise((done) => setTimeout(done, ms));

export function xdotool(...args) {
  return execFileSync("xdotool", args.map(String)).toString().trim();
}

/** Polls `probe` until it returns a truthy value; returns it. */
export async function until(probe, { timeout = 15_000, interval = 100, what = "condition" } = {}) {
  const deadline = Date.now() + timeout;
  let last;
  while (Date.now() < deadline) {
    try {
      last = await probe();
      if (last) return last;
    } catch (error) {
      last = error;
    }
    await sleep(interval);
  }
  throw new Error(`timed out waiting for ${what} (last: ${last})`);
}

/** Visible X windows whose title matches `name` (a regular expression), or `[]`. */
export function visibleWindows(name) {
  try {
    return xdotool("search", "--onlyvisible", "--name", name).split("\n").filter(Boolean);
  } catch {
    return []; // xdotool exits 1 when nothing matches
  }
}

/** The app's main window (its X id), once it is mapped. */
export function appWindow(timeout = 15_000) {
  return until(() => visibleWindows("^Video Agent Studio$")[0], {
    timeout,
    what: "the app window",
  });
}

/** A window's position and size as the X server has them. */
export function geometry(id) {
  const shell = xdotool("getwindowgeometry", "--shell", id);
  const value = (key) => Number(new RegExp(`^${key}=(-?\\d+)`, "m").exec(shell)[1]);
  return { x: value("X"), y: value("Y"), width: value("WIDTH"), height: value("HEIGHT") };
}

/** Sends WM_DELETE_WINDOW, what a window manager's close button sends. */
export function closeWindow(id) {
  execFileSync("/usr/bin/python3", [join(import.meta.dirname, "close-window.py"), id]);
}

/** Photographs the whole X screen (tray, notifications and menus are outside the web view). */
export function shootScreen(name) {
  mkdirSync(SHOTS_DIR, { recursive: true });
  const file = join(SHOTS_DIR, `${name}.png`);
  execFileSync("import", ["-window", "root", file]);
  // A screen that is mostly black (the app hidden in the tray) compresses very small.
  assert.ok(statSync(file).size > 1_000, `${file} looks empty`);
  return file;
}
