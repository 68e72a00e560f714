// Starts the real app under tauri-driver (which drives WebKitWebDriver) with its own data folders,
// and opens a WebDriver session on it through webdriverio.
import { spawn } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { remote } from "webdriverio";

export const REPO_ROOT = resolve(import.meta.dirname, "../..");
export const SHOTS_DIR = join(REPO_ROOT, "target", "e2e-shots");

/** The binary under test: $APP_BINARY, or the default debug build in $CARGO_TARGET_DIR. */
export function appBinary() {
  if (process.env.APP_BINARY) return resolve(process.env.APP_BINARY);
  const targetDir = process.env.CARGO_TARGET_DIR ?? join(REPO_ROOT, "target");
  return join(targetDir, "debug", "video-agent-studio");
}

/** A loopback port nothing listens on right now. */
export function freePort() {
  return new Promise((resolvePort, reject) => {
    const server = createServer();
    server.unref();
    server.on("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const { port } = server.address();
      server.close(() => resolvePort(port));
    });
  });
}

async function waitForDriver(port, driver, output) {
  const deadline = Date.now() + 15_000;
  while (Date.now() < deadline) {
    if (driver.exitCode !== null) {
      throw new Error(`tauri-driver exited with ${driver.exitCode}:\n${output.join("")}`);
    }
    try {
      const response = await fetch(`http://127.0.0.1:${port}/status`);
      if (response.ok) return;
    } catch {
      // Not listening yet.
    }
    await new Promise((done) => setTimeout(done, 100));
  }
  throw new Error(`tauri-driver did not answer on port ${port}:\n${output.join("")}`);
}

// WebKit's helper processes may still be writing caches for a moment after the app quits.
function removeQuietly(dir) {
  try {
    rmSync(dir, { recursive: true, force: true, maxRetries: 10, retryDelay: 200 });
  } catch (error) {
    console.warn(`could not remove ${dir}: ${error.message}`);
  }
}

/**
 * Launches the app with a fresh, isolated home and data folder (or `home` again, to restart
 * the app on the same data). `env` adds variables (e.g. `HEYGEN_BASE_URL`).
 * Returns the webdriverio browser, the folders it uses, and `stop({ keep })`.
 */
export async function launchApp({ home: reuseHome, env = {} } = {}) {
  const home = reuseHome ?? mkdtempSync(join(tmpdir(), "vas-e2e-"));
  const dataDir = join(home, "data");
  const port = await freePort();
  const nativePort = await freePort();
  const output = [];
  const driver = spawn(
    "tauri-driver",
    ["--port", String(port), "--native-port", String(nativePort)],
    {
      env: {
        ...process.env,
        HOME: home,
        XDG_DATA_HOME: join(home, ".local/share"),
        XDG_CONFIG_HOME: join(home, ".config"),
        XDG_CACHE_HOME: join(home, ".cache"),
        VAS_DATA_DIR: dataDir,
        // Enables the simulated file drop (see e2e_drop_files in src-tauri/commands_desktop.rs).
        VAS_E2E: "1",
        // A fast clock for the embedded local agent and quick polling: short tests.
        VAS_LOCAL_AGENT_TIME_SCALE: "600",
        VAS_POLL_SCALE: "0.1",
        ...env,
      },
      stdio: ["ignore", "pipe", "pipe"],
      // Its own process group: stopping kills tauri-driver, WebKitWebDriver and the app
      // together. An app orphaned by a failed test would keep our pipes open, and node would
      // wait for it forever.
      detached: true,
    },
  );
  const killAll = (signal) => {
    try {
      process.kill(-driver.pid, signal);
    } catch {
      // Already gone.
    }
  };
  const exited = new Promise((done) => driver.once("exit", done));
  process.once("exit", () => killAll("SIGKILL"));
  driver.stdout.on("data", (chunk) => output.push(chunk.toString()));
  driver.stderr.on("data", (chunk) => output.push(chunk.toString()));

  /** Ends the whole group: politely, then for sure; closes our ends of its pipes. */
  async function stopGroup() {
    killAll("SIGTERM");
    const gone = await Promise.race([
      exited.then(() => true),
      new Promise((done) => setTimeout(() => done(false), 5_000)),
    ]);
    // The app may outlive tauri-driver; SIGKILL whatever is left of the group.
    killAll("SIGKILL");
    if (!gone) await exited;
    driver.stdout.destroy();
    driver.stderr.destroy();
  }

  let browser;
  try {
    await waitForDriver(port, driver, output);
    browser = await remote({
      hostname: "127.0.0.1",
      port,
      logLevel: "warn",
      connectionRetryCount: 0,
      // A WebDriver call that hangs fails the test instead of stalling CI.
      connectionRetryTimeout: 30_000,
      capabilities: {
        browserName: "wry",
        // WebKitWebDriver speaks classic WebDriver only.
        "wdio:enforceWebDriverClassic": true,
        "tauri:options": { application: appBinary() },
      },
    });
  } catch (error) {
    await stopGroup();
    removeQuietly(home);
    throw error;
  }

  /** Quits the app; `keep` leaves its home and data for a restart. */
  async function stop({ keep = false } = {}) {
    try {
      await browser.deleteSession();
    } finally {
      await stopGroup();
      if (!keep) removeQuietly(home);
    }
  }

  return { browser, home, dataDir, stop, driverOutput: () => output.join("") };
}
