// WORK IN PROGRESS (issue 6), deliberately not picked up by `node --test ui/e2e/`: the file name
// does not match the runner's *.test.mjs pattern. It reaches waiting_for_input, then the
// Session-screen screenshot times out under WebDriver; rename to chat.e2e.test.mjs once it passes.

// End to end through the real app (offline mode, the embedded local agent): start a chat →
// answer the agent's question → review the storyboard → request a change → approve → a video;
// then a change after completion → a second video; both in the Library under their session.
// A screenshot of each state goes to target/e2e-shots/chat-*.png.
import assert from "node:assert/strict";
import { existsSync } from "node:fs";
import { after, before, describe, it } from "node:test";
import { appBinary, launchApp } from "./driver.mjs";
import { navigate, onScreen, shoot } from "./helpers.mjs";

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
    const { browser } = app;
    await onScreen(browser, "welcome");
    await browser.$("#try-offline").click();
    await browser.$('[data-testid="offline-banner"]').waitForExist({ timeout: 30_000 });
    await onScreen(browser, "create");
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
});
