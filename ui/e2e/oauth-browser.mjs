#!/usr/bin/env node
// The "system browser" of the OAuth e2e: the app's opener runs `$BROWSER <url>`, and this hands
// the URL to a real Chromium driven over WebDriver (Debian's chromium + chromedriver), which then
// does what OAUTH_E2E_ACTION says:
//   approve  press Approve on the consent page, then wait for the app's "you can close this tab"
//   deny     press Deny, then wait for the app's page
//   forge    skip the consent and send the app's redirect URI a callback with a wrong state
//   close    load the consent page and close the browser without answering
// Each step is appended to OAUTH_E2E_LOG so the test can show what the browser saw.
import { spawn } from "node:child_process";
import { appendFileSync, mkdtempSync, rmSync } from "node:fs";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { remote } from "webdriverio";

const url = process.argv[2];
const action = process.env.OAUTH_E2E_ACTION ?? "approve";
const logFile = process.env.OAUTH_E2E_LOG;
const log = (line) => logFile && appendFileSync(logFile, `${line}\n`);

function freePort() {
  return new Promise((done, fail) => {
    const server = createServer();
    server.on("error", fail);
    server.listen(0, "127.0.0.1", () => {
      const { port } = server.address();
      server.close(() => done(port));
    });
  });
}

async function waitForDriver(port) {
  const deadline = Date.now() + 15_000;
  while (Date.now() < deadline) {
    try {
      if ((await fetch(`http://127.0.0.1:${port}/status`)).ok) return;
    } catch {
      // Not listening yet.
    }
    await new Promise((done) => setTimeout(done, 100));
  }
  throw new Error("chromedriver did not start");
}

const port = await freePort();
const profile = mkdtempSync(join(tmpdir(), "vas-oauth-chromium-"));
const driver = spawn(process.env.CHROMEDRIVER ?? "/usr/bin/chromedriver", [`--port=${port}`], {
  stdio: "ignore",
});
let browser;
try {
  await waitForDriver(port);
  browser = await remote({
    hostname: "127.0.0.1",
    port,
    logLevel: "error",
    capabilities: {
      browserName: "chrome",
      "goog:chromeOptions": {
        binary: process.env.CHROMIUM ?? "/usr/bin/chromium",
        args: [
          "--headless",
          "--no-sandbox",
          "--disable-gpu",
          "--disable-background-networking",
          "--disable-component-update",
          "--disable-sync",
          "--no-first-run",
          `--user-data-dir=${profile}`,
        ],
      },
    },
  });
  log(`opened ${new URL(url).pathname}`);
  if (action === "forge") {
    const redirect = new URL(url).searchParams.get("redirect_uri");
    await browser.url(`${redirect}?code=forged-code&state=not-this-sign-in`);
  } else {
    await browser.url(url);
    const account = await browser.$("#account").getText();
    log(`consent page for ${account}`);
    if (action === "approve") await browser.$("#approve").click();
    if (action === "deny") await browser.$("#deny").click();
  }
  if (action !== "close") {
    const result = browser.$("#result");
    await result.waitForExist({ timeout: 15_000 });
    log(`app page: ${await result.getText()} | ${await browser.$("body").getText()}`);
  }
  log("done");
} catch (error) {
  log(`error: ${error.message}`);
} finally {
  await browser?.deleteSession().catch(() => {});
  driver.kill();
  rmSync(profile, { recursive: true, force: true, maxRetries: 5, retryDelay: 200 });
}
