// End to end: "Sign in with HeyGen" against a real local-agent process acting as HeyGen's OAuth
// server. The app's opener runs $BROWSER, which is `oauth-browser.mjs`: a real Chromium over
// chromedriver that approves (or denies, forges, abandons) the consent page. Then a video is made
// with the bearer token, the server expires the token and the app refreshes it unnoticed, and
// Sign out revokes it. No token ever reaches the web view (IPC payloads, DOM).
import assert from "node:assert/strict";
import { existsSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { startLocalAgent } from "./agent.mjs";
import { appBinary, launchApp } from "./driver.mjs";
import { navigate, onScreen, shoot, waitForText } from "./helpers.mjs";

const STEP = { timeout: 240_000 };
const BROWSER_SCRIPT = join(import.meta.dirname, "oauth-browser.mjs");
// Anything shaped like a token, code or refresh token the local agent issues.
const TOKEN_SHAPE = /l(at|rt|ac)_[0-9a-f]{16}/;
const ADMIN_KEY = "e2e-oauth-admin-key";

let dir;
let agent;

before(async () => {
  assert.ok(existsSync(appBinary()), `app binary not found at ${appBinary()}; build it first`);
  assert.ok(existsSync("/usr/bin/chromedriver"), "chromium-driver is not installed (.ci/setup)");
  dir = mkdtempSync(join(tmpdir(), "vas-oauth-e2e-"));
  agent = await startLocalAgent([
    "--data-dir",
    join(dir, "agent"),
    "--time-scale",
    "600",
    // Only this key is an API key: the app can only get in with the tokens it is issued.
    "--api-key",
    ADMIN_KEY,
    "--oauth-rotate-refresh",
    // The test expires tokens through /__admin/oauth (opt-in, behind the agent's key).
    "--admin",
  ]);
});
after(async () => {
  await agent?.stop();
  if (dir) rmSync(dir, { recursive: true, force: true, maxRetries: 10, retryDelay: 200 });
});

async function admin(method, path, body) {
  const response = await fetch(`${agent.baseUrl}${path}`, {
    method,
    headers: { "content-type": "application/json", "x-api-key": ADMIN_KEY },
    body: body ? JSON.stringify(body) : undefined,
  });
  assert.ok(response.ok, `${method} ${path}: ${response.status}`);
  return response.json();
}

const oauthStats = async () => (await admin("GET", "/__admin/oauth")).stats;

/** Launches the app pointed at the agent, with the browser script doing `action`. */
function launch(action, extraEnv = {}) {
  const log = join(dir, `browser-${action}-${Date.now()}.log`);
  const app = launchApp({
    env: {
      HEYGEN_BASE_URL: agent.baseUrl,
      HEYGEN_OAUTH_CLIENT_ID: "vas-e2e",
      BROWSER: BROWSER_SCRIPT,
      OAUTH_E2E_ACTION: action,
      OAUTH_E2E_LOG: log,
      ...extraEnv,
    },
  });
  return { app, browserLog: () => (existsSync(log) ? readFileSync(log, "utf8") : "(no log)") };
}

/** Records every IPC payload from now on (see desktop.e2e.test.mjs for how). */
async function recordIpc(browser) {
  await browser.execute(() => {
    const callbacks = window.__TAURI_INTERNALS__.callbacks;
    if (callbacks.vasIpcLog) return;
    const log = [];
    const get = Map.prototype.get;
    callbacks.get = function (id) {
      const callback = get.call(this, id);
      if (!callback) return callback;
      return (data) => {
        log.push(typeof data === "string" ? data : JSON.stringify(data));
        return callback(data);
      };
    };
    callbacks.vasIpcLog = log;
  });
}

async function assertNoTokens(browser, when) {
  const payloads = await browser.execute(() => window.__TAURI_INTERNALS__.callbacks.vasIpcLog);
  assert.ok(payloads?.length > 0, `${when}: the IPC recorder saw nothing`);
  const leaks = payloads.filter((p) => TOKEN_SHAPE.test(p));
  assert.equal(leaks.length, 0, `${when}: a token is in IPC payloads: ${leaks.join(" | ")}`);
  const html = await browser.execute(() => document.documentElement.outerHTML);
  assert.ok(!TOKEN_SHAPE.test(html), `${when}: a token is in the DOM`);
  return payloads;
}

async function signInError(browser, browserLog) {
  const error = browser.$("#sign-in-error");
  try {
    await error.waitForExist({ timeout: 60_000 });
  } catch (cause) {
    throw new Error(`no sign-in error shown; browser: ${browserLog()}`, { cause });
  }
  return error.getText();
}

describe("Sign in with HeyGen (OAuth + PKCE) in a real browser", () => {
  it(
    "signs in, makes a video with the token, refreshes it unnoticed, signs out",
    STEP,
    async () => {
      const { app: launching, browserLog } = launch("approve");
      const app = await launching;
      const { browser } = app;
      try {
        await recordIpc(browser);
        await onScreen(browser, "welcome");
        await shoot(browser, "40-oauth-welcome");
        await browser.$("#sign-in-heygen").click();
        try {
          await onScreen(browser, "create", 60_000);
        } catch (cause) {
          await shoot(browser, "40-oauth-sign-in-FAILED");
          throw new Error(`sign-in did not finish; browser: ${browserLog()}`, { cause });
        }
        assert.match(browserLog(), /consent page for local-agent/);
        assert.match(browserLog(), /app page: Signed in \|[\s\S]*You can close this tab/);

        await navigate(browser, "settings");
        await waitForText(
          browser.$('[data-testid="credential-status"]'),
          /Signed in as Offline Mode \(offline@localhost\) via HeyGen/,
        );
        await browser.$("#test-credential").click();
        await waitForText(browser.$('[data-testid="credits"]'), /[\d,]+ credits/, 20_000);
        await shoot(browser, "41-oauth-signed-in");

        // A video, made with the bearer token.
        await navigate(browser, "create");
        await browser.$("#prompt").setValue("A 2-second video about a key that opens every door.");
        await browser.$("#generate").click();
        await onScreen(browser, "library", 60_000);
        // The server expires the token while the job runs: the next poll is refused once,
        // refreshed and retried, and the job goes on as if nothing happened.
        const before = await oauthStats();
        await admin("POST", "/__admin/oauth", { expire_access_tokens: true });
        await browser.$('.row[data-state="downloaded"]').waitForExist({
          timeout: 150_000,
          timeoutMsg: "the video made with the bearer token never downloaded",
        });
        const afterRun = await oauthStats();
        assert.ok(afterRun.expired_rejections > before.expired_rejections, "no 401 happened");
        assert.ok(afterRun.refreshes > before.refreshes, "the token was not refreshed");
        assert.equal(await browser.$('[data-testid="job-warning"]').isExisting(), false);
        await shoot(browser, "42-oauth-video-after-refresh");

        await navigate(browser, "settings");
        await browser.$("#sign-out").click();
        // Nothing else is stored, so the first-run choices come back.
        await onScreen(browser, "welcome", 20_000);
        const connection = await browser.execute(() =>
          window.__TAURI_INTERNALS__.invoke("connection", {}),
        );
        assert.equal(connection.oauthSignedIn, false);
        assert.equal(connection.credential, null);
        assert.equal((await oauthStats()).revocations, afterRun.revocations + 1);
        await shoot(browser, "43-oauth-signed-out");
        const payloads = await assertNoTokens(browser, "after signing out");
        assert.ok(
          payloads.some((p) => p.includes("offline@localhost")),
          "the recorder never saw the account: the scan proves nothing",
        );
      } finally {
        await app.stop();
      }
    },
  );

  for (const [action, label, expected, extraEnv] of [
    ["deny", "denied consent", /denied in the browser/, {}],
    ["forge", "callback with a wrong state", /did not match this sign-in/, {}],
    ["close", "closed browser", /timed out.*was it closed/, { VAS_SIGN_IN_TIMEOUT_SECS: "15" }],
  ]) {
    it(`a ${label} leaves it signed out`, STEP, async () => {
      const { app: launching, browserLog } = launch(action, extraEnv);
      const app = await launching;
      const { browser } = app;
      try {
        await recordIpc(browser);
        await onScreen(browser, "welcome");
        await browser.$("#sign-in-heygen").click();
        await browser.$("#sign-in-waiting").waitForExist({ timeout: 10_000 });
        const message = await signInError(browser, browserLog);
        assert.match(message, expected, `browser: ${browserLog()}`);
        await shoot(browser, `44-oauth-${action}`);
        // Still the first-run screen: nothing was stored.
        await onScreen(browser, "welcome");
        const connection = await browser.execute(() =>
          window.__TAURI_INTERNALS__.invoke("connection", {}),
        );
        assert.equal(connection.oauthSignedIn, false);
        assert.equal(connection.credential, null);
        await assertNoTokens(browser, `after a ${action}`);
      } finally {
        await app.stop();
      }
    });
  }
});
