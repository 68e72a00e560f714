// A local-agent process on loopback, for tests and benchmarks that need the server outside the
// app: started with the given flags; its URL is read from the "listening on" line it prints first.
import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { existsSync } from "node:fs";
import { join } from "node:path";
import { REPO_ROOT } from "./driver.mjs";

/** $LOCAL_AGENT_BIN, or the debug build in $CARGO_TARGET_DIR. */
export function localAgentBinary() {
  const targetDir = process.env.CARGO_TARGET_DIR ?? join(REPO_ROOT, "target");
  const bin = process.env.LOCAL_AGENT_BIN ?? join(targetDir, "debug", "local-agent");
  assert.ok(existsSync(bin), `local-agent not found at ${bin}; cargo build -p local-agent`);
  return bin;
}

/**
 * Starts local-agent with `args` (`--data-dir` etc.); resolves once it listens to
 * `{ baseUrl, stop(signal) }`. `stop` waits for the process to exit.
 */
export async function startLocalAgent(args, { bin = localAgentBinary(), env = {} } = {}) {
  const child = spawn(bin, args, {
    stdio: ["ignore", "pipe", "inherit"],
    env: { ...process.env, ...env },
  });
  const baseUrl = await new Promise((done, fail) => {
    child.stdout.once("data", (chunk) => {
      const match = chunk.toString().match(/listening on (http:\/\/\S+)/);
      if (match) done(match[1]);
      else fail(new Error(`unexpected local-agent output: ${chunk}`));
    });
    child.once("exit", (code) => fail(new Error(`local-agent exited with ${code}`)));
  });
  child.stdout.resume();
  async function stop(signal = "SIGTERM") {
    if (child.exitCode !== null || child.signalCode !== null) return;
    const exited = new Promise((done) => child.once("exit", done));
    child.kill(signal);
    await exited;
  }
  return { baseUrl, stop };
}
