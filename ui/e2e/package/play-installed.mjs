// The packaging test's WebDriver client (run by .ci/package-test, not by the e2e suite): drives
// the app installed from our .deb in a clean Debian root — through tauri-driver there, reached
// on loopback — from first run to a video made offline and playing in the Library.
// APPLICATION is the path from the desktop entry's Exec line; DRIVER_PORT tauri-driver's port;
// DISPLAY the root's X display.
import assert from "node:assert/strict";
import { mkdirSync } from "node:fs";
import { join } from "node:path";
import { remote } from "webdriverio";
import { captureDisplay, waitForPicture } from "../helpers.mjs";

const { APPLICATION, DRIVER_PORT, SHOTS_DIR } = process.env;
assert.ok(APPLICATION && DRIVER_PORT && SHOTS_DIR, "APPLICATION, DRIVER_PORT and SHOTS_DIR");

async function waitForDriver() {
  const deadline = Date.now() + 30_000;
  while (Date.now() < deadline) {
    try {
      if ((await fetch(`http://127.0.0.1:${DRIVER_PORT}/status`)).ok) return;
    } catch {
      // Not listening yet.
    }
    await new Promise((done) => setTimeout(done, 200));
  }
  throw new Error(`tauri-driver did not answer on port ${DRIVER_PORT}`);
}

/** The root's display (DISPLAY, reachable from here: see .ci/package-test) as a PNG. */
async function shoot(name) {
  mkdirSync(SHOTS_DIR, { recursive: true });
  await new Promise((done) => setTimeout(done, 1_200));
  captureDisplay(join(SHOTS_DIR, `${name}.png`));
}

const step = (name) => console.log(`package test: ${name}`);

/** The player's state from the attributes it keeps current (see ui/e2e/helpers.mjs). */
function player() {
  return browser.execute(() => {
    const p = document.querySelector('[data-testid="player"]');
    return p
      ? {
          ready: p.dataset.ready === "true",
          ended: p.dataset.ended === "true",
          position: Number(p.dataset.position),
          error: p.querySelector('[role="alert"]')?.textContent ?? null,
        }
      : null;
  });
}

await waitForDriver();
const browser = await remote({
  hostname: "127.0.0.1",
  port: Number(DRIVER_PORT),
  logLevel: "warn",
  connectionRetryCount: 0,
  connectionRetryTimeout: 60_000,
  capabilities: {
    browserName: "wry",
    "wdio:enforceWebDriverClassic": true,
    "tauri:options": { application: APPLICATION },
  },
});
try {
  step(`started ${APPLICATION}`);
  await browser.$('main[data-screen="welcome"]').waitForExist({ timeout: 90_000 });
  await browser.$("#try-offline").click();
  await browser.$('[data-testid="offline-banner"]').waitForExist({ timeout: 60_000 });
  step("offline mode on");
  await browser.$("#prompt").setValue("A 3-second video about a lighthouse at dawn.");
  await browser.$("#generate").click();
  await browser.$('main[data-screen="library"]').waitForExist({ timeout: 60_000 });
  const row = browser.$('.row[data-state="downloaded"]');
  await row.waitForExist({
    timeout: 240_000,
    timeoutMsg: "no video was made and downloaded (ffmpeg, espeak-ng or fonts missing?)",
  });
  step("the local agent made a video; it is in the Library");
  await shoot("package-01-library");
  await row.$('button[aria-label="Play"]').click();
  await browser.$('[data-testid="player"]').waitForExist({ timeout: 15_000 });
  // The app's player (GStreamer in the app's process) opens playing; the app paints its frames
  // on the window, and its position moves on.
  await browser.waitUntil(async () => (await player())?.ready, {
    timeout: 30_000,
    timeoutMsg: "the video never showed a frame (no H.264/AAC decoder in GStreamer?)",
  });
  await waitForPicture(browser, "the player is ready but its frames never showed on the screen");
  const t0 = (await player()).position;
  await browser.waitUntil(
    async () => (await player()).position > t0 + 0.5 || (await player()).ended,
    {
      timeout: 20_000,
      timeoutMsg: "playback did not advance",
    },
  );
  step("the video plays");
  await shoot("package-02-playing");
} catch (error) {
  const state = await player().catch(() => null);
  console.error(`package test failed: ${error.message}; player: ${JSON.stringify(state)}`);
  await shoot("package-failed").catch(() => undefined);
  process.exitCode = 1;
} finally {
  await browser.deleteSession().catch(() => undefined);
}
