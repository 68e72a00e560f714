// Starts the real app under tauri-driver (which drives WebKitWebDriver) with its own data folders,
// and opens a WebDriver session on it through webdriverio.
import { execFileSync, spawn } from "node:child_process";
import { createWriteStream, mkdirSync, mkdtempSync, rmSync } from "node:fs";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { basename, join, resolve } from "node:path";
import { remote } from "webdriverio";

export const REPO_ROOT = resolve(import.meta.dirname, "../..");
export const SHOTS_DIR = join(REPO_ROOT, "target", "e2e-shots");
/** Every launch's full tauri-driver, WebKitWebDriver and app output, one file per home. */
export const LOGS_DIR = join(REPO_ROOT, "target", "e2e-logs");

/** How much of the output a test keeps in memory for its error messages (more is on disk). */
const OUTPUT_KEPT = 1 << 20;
/** Where the log file stops growing (a process printing in a loop must not fill the disk). */
const LOG_LIMIT = 64 << 20;

/**
 * The driver's output: the first `LOG_LIMIT` bytes in a log file, the last `OUTPUT_KEPT`
 * characters in memory. (Once a run's test process died out of heap after 200 s, with no
 * output saying why: both are bounded now, and the file says what was printed.)
 */
function outputSink(home) {
  mkdirSync(LOGS_DIR, { recursive: true });
  const file = join(LOGS_DIR, `${basename(home)}.log`);
  const log = createWriteStream(file, { flags: "a" });
  let kept = "";
  let logged = 0;
  return {
    file,
    push(chunk) {
      if (logged < LOG_LIMIT) {
        log.write(chunk);
        logged += chunk.length;
        if (logged >= LOG_LIMIT) log.write(`\n[log stopped at ${LOG_LIMIT} bytes]\n`);
      }
      kept = (kept + chunk.toString()).slice(-OUTPUT_KEPT);
    },
    text: () => kept,
    close: () => new Promise((done) => log.end(done)),
  };
}

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
      throw new Error(`tauri-driver exited with ${driver.exitCode}:\n${output.text()}`);
    }
    try {
      const response = await fetch(`http://127.0.0.1:${port}/status`);
      if (response.ok) return;
    } catch {
      // Not listening yet.
    }
    await new Promise((done) => setTimeout(done, 100));
  }
  throw new Error(`tauri-driver did not answer on port ${port}:\n${output.text()}`);
}

// WebKit's helper processes may still be writing caches for a moment after the app quits.
function removeQuietly(dir) {
  try {
    rmSync(dir, { recursive: true, force: true, maxRetries: 10, retryDelay: 200 });
  } catch (error) {
    console.warn(`could not remove ${dir}: ${error.message}`);
  }
}

/** The D-Bus name the running app holds (tauri-plugin-single-instance: identifier + suffix). */
const INSTANCE_NAME = "dev.videoagentstudio.desktop.SingleInstance";

function instanceRunning() {
  try {
    return execFileSync("gdbus", [
      "call",
      "--session",
      "--dest",
      "org.freedesktop.DBus",
      "--object-path",
      "/org/freedesktop/DBus",
      "--method",
      "org.freedesktop.DBus.NameHasOwner",
      INSTANCE_NAME,
    ])
      .toString()
      .includes("true");
  } catch {
    return false; // no session bus: no single-instance lock either
  }
}

/**
 * Waits until no app holds the single-instance name: a new launch before the bus noticed the
 * last app's death would take itself for a second instance and exit.
 */
async function waitForInstanceGone() {
  const deadline = Date.now() + 10_000;
  while (instanceRunning() && Date.now() < deadline) {
    await new Promise((done) => setTimeout(done, 50));
  }
}

/** The environment that keeps an app launched with it inside `home` (settings, data, caches). */
export function isolatedHome(home) {
  return {
    HOME: home,
    XDG_DATA_HOME: join(home, ".local/share"),
    XDG_CONFIG_HOME: join(home, ".config"),
    XDG_CACHE_HOME: join(home, ".cache"),
    VAS_DATA_DIR: join(home, "data"),
  };
}

/**
 * Launches the app with a fresh, isolated home and data folder (or `home` again, to restart
 * the app on the same data). `env` adds variables (e.g. `HEYGEN_BASE_URL`).
 * Returns the webdriverio browser, the folders it uses, and `stop({ keep })`.
 */
export async function launchApp({ home: reuseHome, env = {} } = {}) {
  const home = reuseHome ?? mkdtempSync(join(tmpdir(), "vas-e2e-"));
  await waitForInstanceGone();
  const dataDir = join(home, "data");
  const port = await freePort();
  const nativePort = await freePort();
  const output = outputSink(home);
  const driver = spawn(
    "tauri-driver",
    ["--port", String(port), "--native-port", String(nativePort)],
    {
      env: {
        ...process.env,
        ...isolatedHome(home),
        // A fast clock for the embedded local agent and quick polling: short tests.
        VAS_LOCAL_AGENT_TIME_SCALE: "600",
        VAS_POLL_SCALE: "0.1",
        // Run by app-under-test.sh, which reports a crash.
        VAS_E2E_APP: appBinary(),
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
  driver.stdout.on("data", (chunk) => output.push(chunk));
  driver.stderr.on("data", (chunk) => output.push(chunk));

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
    await output.close();
    await waitForInstanceGone();
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
        "tauri:options": { application: join(import.meta.dirname, "app-under-test.sh") },
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
    } catch (error) {
      // The session was gone already (the app died or hung): say what it printed last.
      const tail = output.text().split("\n").slice(-60).join("\n");
      console.error(
        `the WebDriver session had ended (${error.message}); full log: ${output.file}\n${tail}`,
      );
      throw error;
    } finally {
      await stopGroup();
      if (!keep) removeQuietly(home);
    }
  }

  return { browser, home, dataDir, stop, driverOutput: output.text };
}
