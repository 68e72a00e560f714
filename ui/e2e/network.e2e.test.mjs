// A flaky network through the real app, against a real local-agent process as the server:
// a 429 storm on create shows the "slow down" countdown and the job is created once; then the
// server goes away mid-job (process killed), the app says so and keeps the job; the server comes
// back on the same address and the job finishes and downloads, still created exactly once.
// Screenshots go to target/e2e-shots/net-*.png.
import assert from "node:assert/strict";
import { existsSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { startLocalAgent } from "./agent.mjs";
import { appBinary, freePort, launchApp } from "./driver.mjs";
import { onScreen, shoot, waitForText } from "./helpers.mjs";

const STEP = { timeout: 240_000 };
const KEY = "e2e-network-key";

/** Starts local-agent on `addr` with its data in `dataDir` (the same folder again = a restart). */
function startAgent(addr, dataDir) {
  // A slow enough clock that the job is still running when the server is killed.
  return startLocalAgent([
    "--addr",
    addr,
    "--data-dir",
    dataDir,
    "--api-key",
    KEY,
    "--admin",
    "--time-scale",
    "10",
  ]);
}

describe("a flaky network loses no job", () => {
  let dir;
  let addr;
  let agent;
  let app;

  async function api(method, path, body) {
    const response = await fetch(`http://${addr}${path}`, {
      method,
      headers: { "X-Api-Key": KEY, "Content-Type": "application/json" },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    const text = await response.text();
    assert.ok(response.ok, `${method} ${path}: ${response.status} ${text}`);
    return JSON.parse(text);
  }

  /** Sessions the server has: what "created exactly once" is checked against. */
  async function sessionsOnServer() {
    return (await api("GET", "/v3/video-agents?limit=100")).data.length;
  }

  async function rowState(browser) {
    return browser.execute(() => document.querySelector(".row")?.dataset.state ?? null);
  }

  before(async () => {
    assert.ok(existsSync(appBinary()), `app binary not found at ${appBinary()}; build it first`);
    dir = mkdtempSync(join(tmpdir(), "vas-e2e-net-"));
    addr = `127.0.0.1:${await freePort()}`;
    agent = await startAgent(addr, join(dir, "agent"));
    app = await launchApp({ env: { HEYGEN_BASE_URL: `http://${addr}`, HEYGEN_API_KEY: KEY } });
  });
  after(async () => {
    await app?.stop();
    await agent?.stop("SIGKILL");
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it("waits out a 429 storm with a visible countdown and creates the job once", STEP, async () => {
    const { browser } = app;
    await onScreen(browser, "create", 30_000);
    await api("POST", "/__admin/faults", {
      rules: [
        {
          route: "POST /v3/video-agents",
          kind: "status",
          status: 429,
          retry_after_seconds: 6,
          count: 2,
        },
      ],
    });
    await browser.$("#prompt").setValue("A 3-second video about our new opening hours.");
    await browser.$("#generate").click();
    const banner = browser.$('[data-testid="rate-limit"]');
    await banner.waitForExist({ timeout: 30_000, timeoutMsg: "no rate-limit banner on a 429" });
    await waitForText(banner, /waiting \d+ s/);
    const inView = await browser.execute(() => {
      const box = document.querySelector('[data-testid="rate-limit"]').getBoundingClientRect();
      return box.top >= 0 && box.bottom <= window.innerHeight && box.height > 0;
    });
    assert.ok(inView, "the countdown is off screen");
    await shoot(browser, "net-01-rate-limited");
    await banner.waitForExist({ reverse: true, timeout: 60_000, timeoutMsg: "never continued" });
    await browser.waitUntil(async () => (await sessionsOnServer()) === 1, {
      timeout: 60_000,
      timeoutMsg: "the job was not created after the storm",
    });
  });

  it("keeps the job while the server is down and finishes it when it is back", STEP, async () => {
    const { browser } = app;
    await onScreen(browser, "library", 30_000);
    await browser.$(".row").waitForExist({ timeout: 10_000 });
    const state = await rowState(browser);
    assert.ok(
      !["downloaded", "failed", "stopped"].includes(state),
      `the job already ended (${state}) before the server could be killed; slow the clock`,
    );
    await agent.stop("SIGKILL");
    const warning = browser.$('[data-testid="job-warning"]');
    await warning.waitForExist({
      timeout: 60_000,
      timeoutMsg: "no banner while the server is down",
    });
    await waitForText(warning, /Can't reach the server.*continue when the connection is back/);
    assert.ok(
      !["failed", "stopped"].includes(await rowState(browser)),
      "the job failed because the server went away",
    );
    await shoot(browser, "net-02-server-down");

    agent = await startAgent(addr, join(dir, "agent"));
    await browser.$('.row[data-state="downloaded"]').waitForExist({
      timeout: 180_000,
      timeoutMsg: "the job did not finish after the server came back",
    });
    await warning.waitForExist({ reverse: true, timeout: 30_000 });
    assert.equal(await sessionsOnServer(), 1, "the job was created more than once");
    await shoot(browser, "net-03-recovered");
  });
});
