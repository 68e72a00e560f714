// End to end: the real app binary under Xvfb, driven over WebDriver, making real videos with the
// embedded local agent (offline mode) and talking to a real local-agent process for the key flow.
import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { statSync } from "node:fs";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { startLocalAgent } from "./agent.mjs";
import { launchApp } from "./driver.mjs";
import { useFixtures } from "./fixtures.mjs";
import {
  invoke,
  navigate,
  onScreen,
  playerState,
  waitForPicture,
  pictureBox,
  grabDisplay,
  meanDifference,
  seekPlayer,
  shoot,
  tryOffline,
  waitForPlayer,
  waitForText,
} from "./helpers.mjs";
import { dragFiles } from "./native/drag.mjs";

const STEP = { timeout: 240_000 };
const fixtures = useFixtures();

/** Waits for a Library row to reach `state`; returns the row. */
async function waitForJob(browser, state, timeout = 150_000) {
  const row = browser.$(`.row[data-state="${state}"]`);
  await row.waitForExist({ timeout, timeoutMsg: `no job reached ${state}` });
  return row;
}

function ffprobeStreams(path) {
  return execFileSync("ffprobe", [
    "-v",
    "error",
    "-show_entries",
    "stream=codec_type",
    "-of",
    "csv=p=0",
    path,
  ])
    .toString()
    .trim()
    .split("\n");
}

describe("first run → offline → a video in the library", () => {
  let app;
  before(async () => {
    app = await launchApp();
  });
  after(async () => app?.stop());

  it("welcomes a new user and starts offline mode", STEP, async () => {
    const { browser } = app;
    await onScreen(browser, "welcome");
    assert.equal(await browser.getTitle(), "Video Agent Studio");
    await browser.$("#welcome-heading").waitForDisplayed({ timeout: 5_000 });
    // The first paint after start-up can lag behind the DOM under Xvfb.
    await browser.pause(1_000);
    await shoot(browser, "01-welcome");
    await tryOffline(browser);
    await shoot(browser, "02-create-offline");
  });

  it("attaches a dropped image and shows the drop overlay", STEP, async () => {
    const { browser } = app;
    await browser.$("#prompt").setValue("A 3-second video about a sunflower that follows the sun.");
    // A real drag (GTK drag source → XDND → the app): the overlay shows while it hovers.
    await dragFiles([fixtures().photo], {
      whileOver: async () => {
        await browser.$('[data-testid="drop-overlay"]').waitForExist({ timeout: 5_000 });
        await shoot(browser, "03-drop-overlay");
      },
    });
    const chip = browser.$('li.chip[data-file="sunflower.png"]');
    await chip.waitForExist({ timeout: 10_000 });
    await waitForText(chip, /PNG · \d/);
    const loaded = await browser.execute(
      () => document.querySelector('li.chip[data-file="sunflower.png"] img')?.naturalWidth ?? 0,
    );
    assert.ok(loaded > 0, "the chip's thumbnail did not load through the asset protocol");
    assert.equal(await browser.$('[data-testid="drop-overlay"]').isExisting(), false);
    await shoot(browser, "04-create-with-file");
  });

  it("filters the gallery by tag and name, and uses a style", STEP, async () => {
    const { browser } = app;
    await navigate(browser, "styles");
    const cards = browser.$$("li.style");
    await browser.$("li.style").waitForExist({ timeout: 30_000 });
    const total = (await cards).length;
    await browser.waitUntil(
      async () =>
        browser.execute(() =>
          [...document.querySelectorAll("li.style img")].some((i) => i.naturalWidth > 0),
        ),
      { timeout: 20_000, timeoutMsg: "no style thumbnail loaded from the cache" },
    );
    await shoot(browser, "05-styles");

    const firstTag = await browser.execute(() => {
      const tagged = [...document.querySelectorAll("button.tag[data-tag]")].map(
        (b) => b.dataset.tag,
      );
      const seen = [...document.querySelectorAll("li.style .title .muted")].map(
        (s) => s.textContent,
      );
      return tagged.find((t) => seen.some((s) => s.includes(t)));
    });
    assert.ok(firstTag, "no style carries a tag");
    await browser.$(`button.tag[data-tag="${firstTag}"]`).click();
    await browser.waitUntil(
      async () =>
        browser.execute(
          (tag) =>
            document.querySelectorAll("li.style").length > 0 &&
            [...document.querySelectorAll("li.style .title .muted")].every((s) =>
              s.textContent.includes(tag),
            ),
          firstTag,
        ),
      { timeout: 15_000, timeoutMsg: `the ${firstTag} filter did not apply` },
    );
    await shoot(browser, "06-styles-tag");
    await browser.$(`button.tag[data-tag="${firstTag}"]`).click(); // back to every style

    await browser.waitUntil(
      async () => (await browser.$$("li.style")).length >= Math.min(total, 2),
      {
        timeout: 15_000,
      },
    );
    const name = await browser.$("li.style .title strong").getText();
    await browser.$("#style-search").setValue(name);
    await browser.waitUntil(
      async () =>
        browser.execute(
          (n) =>
            [...document.querySelectorAll("li.style .title strong")].every((s) =>
              s.textContent.toLowerCase().includes(n.toLowerCase()),
            ),
          name,
        ),
      { timeout: 5_000, timeoutMsg: "search did not filter by name" },
    );
    await shoot(browser, "07-styles-search");
    await browser.$("li.style button").click();
    await onScreen(browser, "create");
    await waitForText(browser.$('[data-testid="chosen-style"]'), new RegExp(name));
    await shoot(browser, "08-create-ready");
  });

  it(
    "generates, shows the job live, plays the MP4 in the app, and saved it on disk",
    STEP,
    async () => {
      const { browser } = app;
      await browser.$("#generate").click();
      await onScreen(browser, "library", 60_000);
      await browser.$(".row").waitForExist({ timeout: 10_000 });
      await shoot(browser, "09-library-running");
      const row = await waitForJob(browser, "downloaded");
      await browser.waitUntil(
        async () =>
          browser.execute(() => (document.querySelector(".row .thumb img")?.naturalWidth ?? 0) > 0),
        { timeout: 10_000, timeoutMsg: "the job's thumbnail did not load from the library" },
      );
      await shoot(browser, "10-library-ready");

      await row.$('button[aria-label="Play"]').click();
      await browser.$('[data-testid="player"]').waitForExist({ timeout: 10_000 });
      // The app's own player opens playing; the app paints its frames on the window over the
      // page's picture box (nothing is served to the page: no URL names the video).
      const first = await waitForPlayer(
        browser,
        "the video never started playing",
        (p) => p?.ready && (p.position > 0.3 || p.ended),
      );
      await waitForPicture(browser, "the video's frames never showed on the screen");
      assert.ok(first.duration > 1, `duration ${first.duration}`);
      await shoot(browser, "11-player");
      // Pause with the button: the position stops.
      if (first.playing) await browser.$('[data-testid="player-play"]').click();
      const paused = await waitForPlayer(browser, "pause did not stop it", (p) => !p.playing);
      await browser.pause(700);
      assert.ok(Math.abs((await playerState(browser)).position - paused.position) < 0.05);
      // Seek to the middle as a user drags the bar, and play on from there with the keyboard.
      const target = first.duration / 2;
      await seekPlayer(browser, target);
      await waitForPlayer(
        browser,
        `the seek to ${target} did not land`,
        (p) => Math.abs(p.position - target) < 0.3,
      );
      await browser.$('[data-testid="player"]').click();
      await browser.keys(" ");
      await waitForPlayer(
        browser,
        `playback did not go on after the seek to ${target}`,
        (p) => p.position > target + 0.3 || p.ended,
      );
      const path = await browser.$('[role="dialog"] code.path').getText();
      assert.match(path, /\.mp4$/);
      assert.ok(statSync(path).size > 10_000, "the MP4 on disk is tiny");
      const streams = ffprobeStreams(path);
      assert.ok(streams.includes("video"), `no video stream in ${path}: ${streams}`);
      await browser.keys("Escape");
      await browser.$('[role="dialog"]').waitForExist({ reverse: true, timeout: 5_000 });
    },
  );

  it(
    "lists the video's files and draws its captions over the picture, or burnt in when preferred",
    STEP,
    async () => {
      const { browser } = app;
      const row = await waitForJob(browser, "downloaded");
      await waitForText(row.$('[data-testid="job-files"]'), /Video · Captions · Captioned video/);
      await row.$('button[aria-label="Play"]').click();
      const kinds = await browser
        .$$('[data-testid="video-files"] li')
        .map((li) => li.getAttribute("data-kind"));
      assert.deepEqual(kinds, ["video", "captions", "captioned", "thumbnail"]);
      // The downloaded SRT is drawn over the picture at the player's position.
      await browser.$('button[data-captions="track"]').click();
      // It plays at once (a 3-second video may already have ended). "Ready" comes before
      // "playing": a pause asked for in between would find it not playing yet and leave it on.
      await waitForPlayer(browser, "the player did not start", (p) => p?.playing || p?.ended);
      // Pause and seek to where the first cue is: it shows (the screenshot too).
      if ((await playerState(browser)).playing) {
        await browser.$('[data-testid="player-play"]').click();
        await waitForPlayer(browser, "the player did not pause", (p) => !p.playing);
      }
      await seekPlayer(browser, 0.5);
      const cue = browser.$('[data-testid="player-cue"]');
      await cue.waitForExist({ timeout: 10_000, timeoutMsg: "no caption shows at 0.5 s" });
      assert.ok((await cue.getText()).trim().length > 0, "the first cue has no text");
      await shoot(browser, "11b-player-captions");
      // Burnt in: the captioned MP4 plays instead (and the choice is remembered).
      await browser.$('button[data-captions="burnt"]').click();
      await waitForPlayer(
        browser,
        "the captioned video never became playable",
        (p) => p?.file === "captioned" && p.ready,
      );
      await waitForPicture(browser, "the captioned video's frames never showed on the screen");
      assert.equal(
        await browser.$('[data-testid="player-cue"]').isExisting(),
        false,
        "burnt-in captions must not also be drawn over the picture",
      );
      await shoot(browser, "11c-player-burnt-in");
      await browser.$('button[data-captions="track"]').click();
      await waitForPlayer(browser, "the plain video did not come back", (p) => p?.file === "video");
      await waitForPicture(browser, "the plain video's frames never showed on the screen");

      // A page that goes away (a reload) cannot close its players: the app closes them, so
      // nothing of the picture stays painted over the next page.
      if ((await playerState(browser)).playing) {
        await browser.$('[data-testid="player-play"]').click();
        await waitForPlayer(browser, "the player did not pause", (p) => !p.playing);
      }
      const box = await pictureBox(browser);
      const painted = grabDisplay(box);
      await browser.refresh();
      await browser.$("main[data-screen]").waitForExist({ timeout: 20_000 });
      await browser.pause(1_000);
      assert.equal(await browser.$('[role="dialog"]').isExisting(), false);
      const after = meanDifference(painted, grabDisplay(box));
      assert.ok(
        after > 20,
        `the picture stayed on the window after a reload (${after.toFixed(1)})`,
      );
      await shoot(browser, "11d-after-reload");
    },
  );

  it(
    "shows errors for an empty prompt, 21 files and an .exe, and loses nothing",
    STEP,
    async () => {
      const { browser } = app;
      await navigate(browser, "create");
      await browser.$("#generate").click();
      await waitForText(browser.$("#prompt-problem"), /Write what the video should be about/);
      assert.equal(await browser.$("#prompt").getAttribute("aria-invalid"), "true");
      await shoot(browser, "12-invalid-empty-prompt");

      const prompt = "A 3-second video about paper planes.";
      await browser.$("#prompt").setValue(prompt);
      await dragFiles(fixtures().many);
      await waitForText(
        browser.$('[data-testid="files-problem"]'),
        /21 files attached; the agent takes at most 20/,
      );
      await dragFiles([fixtures().exe]);
      const bad = browser.$('li.chip.bad[data-file="setup.exe"]');
      await bad.waitForExist({ timeout: 10_000 });
      await browser.$("#generate").click();
      await shoot(browser, "13-invalid-files");
      // Nothing was sent and nothing was lost.
      await onScreen(browser, "create");
      assert.equal(await browser.$("#prompt").getValue(), prompt);
      assert.equal((await browser.$$("li.chip")).length, 22);
      const page = await invoke(browser, "list_jobs", { offset: 0, limit: 10 });
      assert.equal(page.total, 1, "an invalid draft was submitted");

      await bad.$("button").click();
      await waitForText(browser.$('[data-testid="files-problem"]'), /21 files attached/);
    },
  );
});

describe("quit mid-job, restart, the job finishes", () => {
  it("resumes the job and keeps the draft", STEP, async () => {
    let app = await launchApp();
    const home = app.home;
    try {
      await tryOffline(app.browser);
      await app.browser.$("#prompt").setValue("A 4-second video about tides and the moon.");
      await app.browser.$("#generate").click();
      await onScreen(app.browser, "library", 60_000);
      const row = app.browser.$(".row");
      try {
        await row.waitForExist({ timeout: 10_000 });
      } catch (error) {
        await shoot(app.browser, "13-library-no-row-FAILED");
        const text = await app.browser.execute(() => document.querySelector("main")?.innerText);
        throw new Error(`the new job has no row in the Library: ${text}`, { cause: error });
      }
      assert.notEqual(await row.getAttribute("data-state"), "downloaded");
      await navigate(app.browser, "create");
      await app.browser.$("#prompt").setValue("The draft I was writing when I quit.");
      await new Promise((done) => setTimeout(done, 1_000)); // the draft saves after 400 ms
    } finally {
      await app.stop({ keep: true });
    }
    app = await launchApp({ home });
    try {
      await onScreen(app.browser, "create", 30_000);
      assert.equal(
        await app.browser.$("#prompt").getValue(),
        "The draft I was writing when I quit.",
      );
      await navigate(app.browser, "library");
      try {
        await waitForJob(app.browser, "downloaded");
      } catch (error) {
        // Say where the job stopped (state, message, progress) instead of only "timed out".
        await shoot(app.browser, "14-library-after-restart-FAILED");
        const rows = await app.browser.execute(() =>
          [...document.querySelectorAll(".row")].map((r) => `${r.dataset.state}: ${r.textContent}`),
        );
        throw new Error(`the job did not finish after the restart: ${rows.join(" | ")}`, {
          cause: error,
        });
      }
      await shoot(app.browser, "14-library-after-restart");
    } finally {
      await app.stop();
    }
  });
});

/**
 * Records, in the page, every payload the web view receives over IPC: command results and
 * errors, event payloads and channel messages. Tauri delivers each of them through
 * `__TAURI_INTERNALS__.runCallback`, which looks the callback up with `callbacks.get(id)` (its
 * core.js); `invoke`, `transformCallback` and `runCallback` themselves are non-writable, so the
 * recorder wraps the callbacks map's `get`. That also covers listeners the app registered before
 * the recorder was installed. Classic WebDriver cannot run a script before the app's own code,
 * so it is installed right after launch, before any key exists, and checked to be still in place
 * (no reload dropped it) when the log is read.
 */
async function recordIpcPayloads(browser) {
  await browser.execute(() => {
    const callbacks = window.__TAURI_INTERNALS__.callbacks;
    if (callbacks.vasIpcLog) return;
    const log = [];
    const text = (data) => {
      if (data instanceof ArrayBuffer || ArrayBuffer.isView(data)) {
        return new TextDecoder().decode(data);
      }
      return typeof data === "string" ? data : JSON.stringify(data);
    };
    const get = Map.prototype.get;
    callbacks.get = function (id) {
      const callback = get.call(this, id);
      if (!callback) return callback;
      return (data) => {
        log.push(text(data));
        return callback(data);
      };
    };
    callbacks.vasIpcLog = log;
  });
}

/** Every IPC payload recorded since `recordIpcPayloads`, as text. */
async function recordedIpcPayloads(browser) {
  const log = await browser.execute(() => window.__TAURI_INTERNALS__.callbacks.vasIpcLog ?? null);
  assert.ok(log, "the IPC recorder is gone (the page was reloaded?)");
  return log;
}

/** Fails if `secret` is in any recorded IPC payload, the page's HTML or a field's value. */
async function assertSecretNowhere(browser, secret, when) {
  const payloads = await recordedIpcPayloads(browser);
  const leaks = payloads.filter((p) => p.includes(secret));
  assert.equal(leaks.length, 0, `${when}: the key is in IPC payloads: ${leaks.join(" | ")}`);
  const dom = await browser.execute(() => ({
    html: document.documentElement.outerHTML,
    values: [...document.querySelectorAll("input, textarea")].map((field) => field.value),
  }));
  assert.ok(!dom.html.includes(secret), `${when}: the key is in the DOM`);
  assert.ok(!dom.values.some((v) => v.includes(secret)), `${when}: the key is in a field`);
  return payloads;
}

describe("API key: set, test, remove (keyring, local agent as the server)", () => {
  let agent;
  let baseUrl;

  before(async () => {
    agent = await startLocalAgent(["--data-dir", join(fixtures().dir, "agent")]);
    baseUrl = agent.baseUrl;
  });
  after(async () => agent?.stop());

  it("stores the key in the keyring, shows the credits, and removes it", STEP, async () => {
    const app = await launchApp({ env: { HEYGEN_BASE_URL: baseUrl } });
    const { browser } = app;
    try {
      await recordIpcPayloads(browser);
      await onScreen(browser, "welcome");
      await browser.$("#enter-key").click();
      await onScreen(browser, "settings");
      const secret = "e2e-secret-key-123";
      await browser.$("#api-key").setValue(secret);
      await browser.$("button=Save key").click();
      try {
        await waitForText(browser.$('[data-testid="credits"]'), /[\d,]+ credits/, 20_000);
      } catch (error) {
        await shoot(browser, "15-settings-key-FAILED");
        const alert = browser.$('[role="alert"]');
        const why = (await alert.isExisting()) ? await alert.getText() : "no error shown";
        throw new Error(`credits never appeared: ${why}`, { cause: error });
      }
      await waitForText(browser.$('[data-testid="key-status"]'), /stored in the system keyring/);
      assert.equal(await browser.$("#api-key").getValue(), "", "the key stayed in the input");
      const html = await browser.execute(() => document.documentElement.outerHTML);
      assert.ok(!html.includes(secret), "the key came back to the web view");
      const connection = await invoke(browser, "connection", {});
      assert.ok(!JSON.stringify(connection).includes(secret));
      await assertSecretNowhere(browser, secret, "after saving the key");
      await shoot(browser, "15-settings-key-tested");

      await browser.$("button=Test").click();
      await waitForText(browser.$('[data-testid="credits"]'), /[\d,]+ credits/);
      await assertSecretNowhere(browser, secret, "after testing the key");
      await browser.$("button=Remove").click();
      await waitForText(browser.$('[data-testid="key-status"]'), /No key stored/);
      await browser.$("label=Dark").click();
      await shoot(browser, "16-settings-key-removed-dark");
      const payloads = await assertSecretNowhere(browser, secret, "after removing the key");
      // The recorder saw the traffic it is meant to scan (a scan of nothing proves nothing): the
      // connection's base URL came back in command results, and the account's credits too.
      assert.ok(
        payloads.some((p) => p.includes(baseUrl)),
        "no recorded IPC payload carries the base URL: the recorder saw nothing",
      );
      assert.ok(
        payloads.some((p) => p.includes('"balanceUnit"')),
        `no account payload recorded (${payloads.length} payloads)`,
      );
      // Events reach the page as answers to its waiting `next_events` call, which it made
      // before the recorder existed.
      assert.ok(
        payloads.some((p) => p.includes('"kind":"connectionChanged"')),
        "no connectionChanged event recorded: event payloads are not scanned",
      );
    } finally {
      await app.stop();
    }
  });
});
