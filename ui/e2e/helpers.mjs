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
  execFileSync(
    "ffmpeg",
    [
      "-hide_banner",
      "-loglevel",
      "error",
      "-f",
      "x11grab",
      "-i",
      process.env.DISPLAY,
      "-frames:v",
      "1",
      "-y",
      file,
    ],
    { stdio: ["ignore", "ignore", "pipe"], timeout: 15_000 },
  );
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
 * ready, playing, ended, position and duration in seconds, which file, whether its frames show. */
export async function playerState(browser) {
  return browser.execute(() => {
    const p = document.querySelector('[data-testid="player"]');
    if (!p) return null;
    const img = p.querySelector('[data-testid="player-frames"]');
    return {
      ready: p.dataset.ready === "true",
      playing: p.dataset.playing === "true",
      ended: p.dataset.ended === "true",
      position: Number(p.dataset.position),
      duration: Number(p.dataset.duration),
      file: p.dataset.file,
      framesUrl: img?.getAttribute("src") ?? null,
      frameWidth: img?.naturalWidth ?? 0,
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
