// Small WebDriver helpers shared by the end-to-end tests.
import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { mkdirSync, statSync } from "node:fs";
import { join } from "node:path";
import { SHOTS_DIR } from "./driver.mjs";

/**
 * Writes the X display's pixels (`DISPLAY`) to the PNG `file`, as a user would see them (native
 * menus and other windows included), with ffmpeg's x11grab. Not WebKitWebDriver's screenshot:
 * without a GPU the app turns WebKit's compositing off (src-tauri/painting.rs), and in that mode
 * WebKit's snapshot of an idle page never returns under Xvfb.
 */
export function captureDisplay(file) {
  x11grab([], ["-frames:v", "1", "-y", file], "ignore");
}

/** Runs ffmpeg's x11grab on `DISPLAY` with `input` options before the display and `output`
 * after it; returns what ffmpeg writes to stdout when `stdout` is "pipe". */
function x11grab(input, output, stdout) {
  return execFileSync(
    "ffmpeg",
    [
      ...["-hide_banner", "-loglevel", "error", "-f", "x11grab"],
      ...input,
      ...["-i", process.env.DISPLAY],
      ...output,
    ],
    { stdio: ["ignore", stdout, "pipe"], timeout: 15_000, maxBuffer: 64 << 20 },
  );
}

/**
 * Whether the player's picture is really on the screen: the app paints the frames over the
 * page's picture box (src-tauri/media_view.rs), so the page alone cannot tell. Grabs that box
 * from the X display and counts the pixels that are not black — the page's own box is black
 * (with at most a caption or a "Loading" line on it), every video the tests play is not
 * (its darkest backgrounds are #111111 and #0b0f1a). Returns the share of such pixels, 0–1.
 */
export async function pictureOnScreen(browser) {
  const box = await pictureBox(browser);
  if (!box) return 0;
  const pixels = grabDisplay(box);
  let lit = 0;
  for (let at = 0; at + 2 < pixels.length; at += 3) {
    if (pixels[at] > 8 || pixels[at + 1] > 8 || pixels[at + 2] > 8) lit += 1;
  }
  return lit / (pixels.length / 3);
}

/** Where the player's picture box is on the X display (a little inside its edges, even sizes),
 * or null when there is none. */
export async function pictureBox(browser) {
  const box = await browser.execute(() => {
    const screen = document.querySelector('[data-testid="player-screen"]');
    if (!screen) return null;
    const r = screen.getBoundingClientRect();
    // The web view fills the window (no menu bar; Xvfb has no window manager to decorate it).
    return {
      x: Math.round(window.screenX + r.left) + 4,
      y: Math.round(window.screenY + r.top) + 4,
      width: Math.floor(r.width) - 8,
      height: Math.floor(r.height) - 8,
    };
  });
  if (!box || box.width < 16 || box.height < 16) return null;
  return { ...box, width: box.width - (box.width % 2), height: box.height - (box.height % 2) };
}

/** The X display's pixels in `box` (RGB, 3 bytes each), with ffmpeg's x11grab. */
export function grabDisplay(box) {
  return x11grab(
    ["-video_size", `${box.width}x${box.height}`, "-grab_x", `${box.x}`, "-grab_y", `${box.y}`],
    ["-frames:v", "1", "-f", "rawvideo", "-pix_fmt", "rgb24", "-"],
    "pipe",
  );
}

/** The mean difference of two grabs of the same box, 0–255 per channel. */
export function meanDifference(a, b) {
  let sum = 0;
  for (let at = 0; at < a.length; at += 1) sum += Math.abs(a[at] - b[at]);
  return sum / a.length;
}

/** Waits until the player's picture shows on the screen (see `pictureOnScreen`). */
export async function waitForPicture(browser, what, timeout = 20_000) {
  let share = 0;
  try {
    await browser.waitUntil(async () => (share = await pictureOnScreen(browser)) > 0.3, {
      timeout,
      interval: 500,
    });
  } catch {
    throw new Error(`${what}: ${(share * 100).toFixed(1)} % of the picture box is not black`);
  }
}

/** Saves `target/e2e-shots/<name>.png` (the display, see `captureDisplay`); checks it is not blank. */
export async function shoot(browser, name) {
  mkdirSync(SHOTS_DIR, { recursive: true });
  const file = join(SHOTS_DIR, `${name}.png`);
  // Two animation frames: the last DOM change has been painted and sent to the display.
  await browser.executeAsync((done) =>
    requestAnimationFrame(() => requestAnimationFrame(() => done())),
  );
  await new Promise((done) => setTimeout(done, 300));
  captureDisplay(file);
  assert.ok(statSync(file).size > 4_000, `${file} looks empty`);
  // The shell scrolls inside its screen; the document itself never does. Something that sticks
  // out of the window (an absolutely placed control without a placed ancestor) makes the page
  // scrollable, and bringing that control into view (focus, a click) shifts the whole window up,
  // leaving a black band at the bottom (found in 16-settings-key-removed-dark.png).
  const page = await browser.execute(() => ({
    top: document.scrollingElement.scrollTop,
    left: document.scrollingElement.scrollLeft,
  }));
  assert.deepEqual(page, { top: 0, left: 0 }, `${name}: the page itself was scrolled`);
}

/** Waits until `main` shows the screen `id` (data-screen). */
export async function onScreen(browser, id, timeout = 15_000) {
  try {
    await browser.$(`main[data-screen="${id}"]`).waitForExist({
      timeout,
      timeoutMsg: `the ${id} screen did not appear`,
    });
  } catch (error) {
    // Say where the app is instead (and any error it shows), not only "timed out".
    const where = await browser
      .execute(() => {
        const main = document.querySelector("main");
        const alert = document.querySelector('[role="alert"]');
        return `on ${main?.dataset.screen}; ${alert ? `alert: ${alert.textContent}` : "no alert"}`;
      })
      .catch(() => "unknown");
    throw new Error(`the ${id} screen did not appear (${where})`, { cause: error });
  }
}

export async function navigate(browser, id) {
  await browser.$(`nav button[data-screen="${id}"]`).click();
  await onScreen(browser, id);
}

/** Calls an app command over IPC, as the UI does (resolves to its value, rejects on error). */
export async function invoke(browser, command, args) {
  const result = await browser.executeAsync(
    (cmd, a, done) => {
      window.__TAURI_INTERNALS__
        .invoke(cmd, a)
        .then((value) => done({ ok: true, value }))
        .catch((error) => done({ ok: false, error }));
    },
    command,
    args,
  );
  if (!result.ok) throw new Error(`${command} failed: ${JSON.stringify(result.error)}`);
  return result.value;
}

export async function waitForText(element, pattern, timeout = 10_000) {
  await element.waitUntil(async () => pattern.test(await element.getText()), {
    timeout,
    timeoutMsg: `text never matched ${pattern}`,
  });
}

/** From the welcome screen into offline mode (the built-in local agent): on Create after. */
export async function tryOffline(browser) {
  await onScreen(browser, "welcome");
  await browser.$("#try-offline").click();
  await browser.$('[data-testid="offline-banner"]').waitForExist({ timeout: 30_000 });
  await onScreen(browser, "create");
}

/** The app's player as its element reports it (`data-*` attributes the player keeps current):
 * ready, playing, ended, position and duration in seconds, which file, the problem shown. */
export async function playerState(browser) {
  return browser.execute(() => {
    const p = document.querySelector('[data-testid="player"]');
    if (!p) return null;
    return {
      ready: p.dataset.ready === "true",
      playing: p.dataset.playing === "true",
      ended: p.dataset.ended === "true",
      position: Number(p.dataset.position),
      duration: Number(p.dataset.duration),
      file: p.dataset.file,
      error: p.querySelector('[role="alert"]')?.textContent ?? null,
    };
  });
}

/** Waits until the player's state passes `check`; fails with `what` and the last state. */
export async function waitForPlayer(browser, what, check, timeout = 20_000) {
  let last = null;
  try {
    await browser.waitUntil(async () => check((last = await playerState(browser))), { timeout });
  } catch {
    throw new Error(`${what}; player: ${JSON.stringify(last)}`);
  }
  return last;
}

/** Seeks as a user dragging the seek bar and letting go at `seconds`. */
export async function seekPlayer(browser, seconds) {
  await browser.execute((to) => {
    const bar = document.querySelector('[data-testid="player-seek"]');
    bar.value = String(to);
    bar.dispatchEvent(new Event("input", { bubbles: true }));
    bar.dispatchEvent(new Event("change", { bubbles: true }));
  }, seconds);
}
