// Small WebDriver helpers shared by the end-to-end tests.
import assert from "node:assert/strict";
import { mkdirSync, statSync } from "node:fs";
import { join } from "node:path";
import { SHOTS_DIR } from "./driver.mjs";

/** Saves `target/e2e-shots/<name>.png` and checks it is not blank. */
export async function shoot(browser, name) {
  mkdirSync(SHOTS_DIR, { recursive: true });
  const file = join(SHOTS_DIR, `${name}.png`);
  // Let the last change paint before capturing: two animation frames mean the DOM change was
  // painted, but WebKitWebDriver's snapshot can still return the previous frame for a while
  // after a screen change (seen at 300 ms, never after ~1.3 s), hence the pause.
  await browser.executeAsync((done) =>
    requestAnimationFrame(() => requestAnimationFrame(() => done())),
  );
  await new Promise((done) => setTimeout(done, 1_200));
  await browser.saveScreenshot(file);
  assert.ok(statSync(file).size > 4_000, `${file} looks empty`);
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
