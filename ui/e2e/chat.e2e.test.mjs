// End to end through the real app (offline mode, the embedded local agent): start a chat →
// answer the agent's question → review the storyboard → request a change → approve → a video;
// then a change after completion → a second video; both in the Library under their session, and
// still there after a restart. Then a session started elsewhere (straight through the API, as
// HeyGen's web app or the CLI would) is found in the Sessions list, followed, gets stuck in
// `thinking` (the local agent's stuck fault) and is stopped from the app.
// A screenshot of each state goes to target/e2e-shots/chat-*.png.
import assert from "node:assert/strict";
import { existsSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { startLocalAgent } from "./agent.mjs";
import { appBinary, launchApp } from "./driver.mjs";
import { navigate, onScreen, shoot, tryOffline, waitForText } from "./helpers.mjs";

const STEP = { timeout: 240_000 };

async function status(browser, want, timeout = 120_000) {
  await browser.$(`[data-testid="session"][data-status="${want}"]`).waitForExist({
    timeout,
    timeoutMsg: `the session never reached ${want}`,
  });
}

async function count(browser, selector) {
  return browser.execute((s) => document.querySelectorAll(s).length, selector);
}

async function reply(browser, text) {
  await browser.$('textarea[aria-label="Reply"]').setValue(text);
  await browser.$('[data-testid="reply-box"] button[type="submit"]').click();
}

describe("a chat session from question to two videos", () => {
  let app;
  before(async () => {
    assert.ok(existsSync(appBinary()), `app binary not found at ${appBinary()}; build it first`);
    app = await launchApp();
    await tryOffline(app.browser);
  });
  after(async () => app?.stop());

  it("starts a chat and answers the agent's question", STEP, async () => {
    const { browser } = app;
    await browser.$("#prompt").setValue("A 3-second video introducing our bakery.");
    await browser.$('input[type="radio"][value="chat"]').click();
    await browser.$("#generate").click();
    await onScreen(browser, "sessions");
    await status(browser, "waiting_for_input");
    await browser.$('[data-testid="call-to-action"]').waitForExist({ timeout: 10_000 });
    await shoot(browser, "chat-01-question");
    await reply(browser, "You choose the voice.");
    await browser.waitUntil(
      async () =>
        browser.execute(() =>
          [...document.querySelectorAll('[data-testid="message"][data-role="user"]')].some((m) =>
            m.textContent.includes("You choose the voice."),
          ),
        ),
      { timeout: 30_000, timeoutMsg: "the answer did not appear in the thread" },
    );
  });

  it("shows the storyboard and takes a change request", STEP, async () => {
    const { browser } = app;
    await status(browser, "reviewing");
    await browser.$('[data-testid="scene"]').waitForExist({ timeout: 30_000 });
    assert.ok((await count(browser, '[data-testid="scene"]')) >= 1);
    await shoot(browser, "chat-02-storyboard");
    await browser.$("button=Request changes…").click();
    await browser.$("#changes").setValue("make it shorter");
    await browser.$("button=Send changes").click();
    await browser.waitUntil(
      async () =>
        (await count(browser, '[data-testid="resource"][data-kind="draft"]')) >= 2 &&
        (await browser.$('[data-testid="session"][data-status="reviewing"]').isExisting()),
      { timeout: 120_000, timeoutMsg: "no revised storyboard" },
    );
    await shoot(browser, "chat-03-revised-storyboard");
  });

  it("approves, then a change after completion makes a second video", STEP, async () => {
    const { browser } = app;
    await browser.$("button=Approve and generate").click();
    await browser.$('[data-testid="session-video"][data-state="downloaded"]').waitForExist({
      timeout: 180_000,
      timeoutMsg: "the first video never reached the library",
    });
    await status(browser, "completed");
    await shoot(browser, "chat-04-first-video");
    await reply(browser, "Please change the following: make it vertical");
    await browser.waitUntil(
      async () =>
        (await count(browser, '[data-testid="session-video"][data-state="downloaded"]')) === 2,
      { timeout: 180_000, timeoutMsg: "the second video never reached the library" },
    );
    await shoot(browser, "chat-05-second-video");
  });

  it("lists both videos in the Library under their session", STEP, async () => {
    const { browser } = app;
    await navigate(browser, "library");
    await browser.waitUntil(
      async () => (await count(browser, '[data-testid="session-place"]')) === 2,
      {
        timeout: 30_000,
        timeoutMsg: "the Library does not show the session's two videos",
      },
    );
    const places = await browser.execute(() =>
      [...document.querySelectorAll('[data-testid="session-place"]')].map((p) => p.textContent),
    );
    assert.ok(
      places.some((p) => /first video of 2/.test(p)),
      places.join(" | "),
    );
    assert.ok(
      places.some((p) => /revision 1 of 2/.test(p)),
      places.join(" | "),
    );
    const paths = await browser.execute(
      () => [...document.querySelectorAll('.row[data-state="downloaded"]')].length,
    );
    assert.ok(paths >= 2);
    await shoot(browser, "chat-06-library");
    await navigate(browser, "sessions");
    await browser.$('[data-testid="session-row"]').waitForExist({ timeout: 15_000 });
    await shoot(browser, "chat-07-sessions");
  });

  it("keeps the session, its thread and its videos across a restart", STEP, async () => {
    const home = app.home;
    const before = await count(app.browser, '[data-testid="session-row"]');
    await app.stop({ keep: true });
    app = await launchApp({ home });
    const { browser } = app;
    await onScreen(browser, "create", 30_000);
    await navigate(browser, "sessions");
    await browser.$('[data-testid="session-row"]').waitForExist({ timeout: 15_000 });
    assert.equal(await count(browser, '[data-testid="session-row"]'), before);
    await browser.$('[data-testid="session-row"]').click();
    await status(browser, "completed", 30_000);
    await browser.waitUntil(
      async () =>
        (await count(browser, '[data-testid="session-video"][data-state="downloaded"]')) === 2,
      { timeout: 30_000, timeoutMsg: "the session's videos were not there after the restart" },
    );
    const answers = await browser.execute(() =>
      [...document.querySelectorAll('[data-testid="message"][data-role="user"]')].map(
        (m) => m.textContent,
      ),
    );
    assert.ok(
      answers.some((a) => a.includes("You choose the voice.")),
      `the thread lost the first answer: ${answers.join(" | ")}`,
    );
  });
});

describe("a session started elsewhere, followed, stuck in thinking, and stopped", () => {
  const key = "e2e-chat-key";
  let dir;
  let agent;
  let app;
  let sessionId;

  /** A call to the local agent's API as another client (HeyGen's web app, the CLI) makes it. */
  async function api(method, path, body) {
    const response = await fetch(`${agent.baseUrl}${path}`, {
      method,
      headers: { "X-Api-Key": key, "Content-Type": "application/json" },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    const text = await response.text();
    assert.ok(response.ok, `${method} ${path}: ${response.status} ${text}`);
    return JSON.parse(text);
  }

  before(async () => {
    assert.ok(existsSync(appBinary()), `app binary not found at ${appBinary()}; build it first`);
    dir = mkdtempSync(join(tmpdir(), "vas-e2e-chat-"));
    agent = await startLocalAgent([
      "--data-dir",
      join(dir, "agent"),
      "--api-key",
      key,
      "--admin",
      "--time-scale",
      "600",
    ]);
    const created = await api("POST", "/v3/video-agents", {
      prompt: "A short video about our spring opening hours.",
      mode: "chat",
    });
    sessionId = created.data.session_id;
    app = await launchApp({
      env: {
        HEYGEN_BASE_URL: agent.baseUrl,
        HEYGEN_API_KEY: key,
        VAS_STUCK_THINKING_AFTER_SECS: "3",
      },
    });
  });
  after(async () => {
    await app?.stop();
    await agent?.stop();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it("lists the session started elsewhere and follows it", STEP, async () => {
    const { browser } = app;
    await onScreen(browser, "create", 30_000);
    await navigate(browser, "sessions");
    const row = browser.$('[data-testid="session-row"]');
    await row.waitForExist({ timeout: 20_000, timeoutMsg: "the session is not in the list" });
    await waitForText(row, /started elsewhere/i, 20_000);
    await shoot(browser, "chat-08-sessions-elsewhere");
    await row.click();
    await status(browser, "waiting_for_input");
    const prompts = await browser.execute(() =>
      [...document.querySelectorAll('[data-testid="message"][data-role="user"]')].map(
        (m) => m.textContent,
      ),
    );
    assert.ok(
      prompts.some((p) => p.includes("spring opening hours")),
      `the followed thread lacks the prompt sent elsewhere: ${prompts.join(" | ")}`,
    );
  });

  it("shows the agent thinking, flags it stuck, and stops it", STEP, async () => {
    const { browser } = app;
    await api("POST", "/__admin/faults", { stuck_thinking: true });
    await reply(browser, "You choose the voice.");
    await browser.$('[data-testid="thinking"]').waitForExist({
      timeout: 30_000,
      timeoutMsg: "no thinking indicator while the agent works",
    });
    await shoot(browser, "chat-09-thinking");
    const stuck = browser.$('[data-testid="stuck"]');
    await stuck.waitForExist({ timeout: 60_000, timeoutMsg: "the stuck session was not flagged" });
    await waitForText(stuck, /thinking for .+stop the session/i);
    await shoot(browser, "chat-10-stuck");
    await stuck.$("button=Stop session").click();
    await browser.waitUntil(
      async () => {
        const s = await browser.$('[data-testid="session"]').getAttribute("data-status");
        return s !== "thinking" && s !== "loading";
      },
      { timeout: 60_000, timeoutMsg: "the session did not stop" },
    );
    await browser.$('[data-testid="stuck"]').waitForExist({ reverse: true, timeout: 15_000 });
    const session = await api("GET", `/v3/video-agents/${sessionId}`);
    assert.notEqual(session.data.status, "thinking", "the server's session is still thinking");
    await shoot(browser, "chat-11-stopped");
  });
});
