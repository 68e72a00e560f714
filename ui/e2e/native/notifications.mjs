// A real notification server for the e2e: Debian's dunst on the test's D-Bus session and X
// display. Its script rule records every notification it receives (JSON lines), and a left
// click on its window runs the notification's default action, as a user's click does.
import { spawn, execFileSync } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { until, visibleWindows, xdotool, geometry } from "./x11.mjs";

function busCall(method, ...args) {
  return execFileSync("gdbus", [
    "call",
    "--session",
    "--dest",
    "org.freedesktop.DBus",
    "--object-path",
    "/org/freedesktop/DBus",
    "--method",
    `org.freedesktop.DBus.${method}`,
    ...args,
  ]).toString();
}

const NAME = "org.freedesktop.Notifications";
const nameOwned = () => busCall("NameHasOwner", NAME).includes("true");

/**
 * An earlier test's notification may have had the bus start a notification server by D-Bus
 * activation (with its default settings). This bus is the test run's own (dbus-run-session), so
 * that server is the run's too: stop it, so ours gets the name.
 */
async function freeTheName() {
  if (!nameOwned()) return;
  const pid = Number(/uint32 (\d+)/.exec(busCall("GetConnectionUnixProcessID", NAME))[1]);
  process.kill(pid, "SIGTERM");
  await until(() => !nameOwned(), { what: "the activated notification server to stop" });
}

export async function startDunst() {
  await freeTheName();
  const dir = mkdtempSync(join(tmpdir(), "vas-dunst-"));
  const log = join(dir, "received.jsonl");
  const config = join(dir, "dunstrc");
  const template = readFileSync(join(import.meta.dirname, "dunstrc"), "utf8");
  writeFileSync(
    config,
    template.replace("__RECORD_SCRIPT__", join(import.meta.dirname, "record-notification.sh")),
  );
  const output = [];
  const dunst = spawn("dunst", ["-config", config], {
    env: { ...process.env, VAS_NOTIFY_LOG: log },
    stdio: ["ignore", "pipe", "pipe"],
  });
  dunst.stdout.on("data", (c) => output.push(c.toString()));
  dunst.stderr.on("data", (c) => output.push(c.toString()));
  // Ready when it owns the notification service's name on the session bus.
  await until(
    () => {
      if (dunst.exitCode !== null) throw new Error(`dunst exited: ${output.join("")}`);
      return nameOwned();
    },
    { what: "dunst on the session bus" },
  );

  /** Every notification received so far. */
  function received() {
    if (!existsSync(log)) return [];
    return readFileSync(log, "utf8")
      .split("\n")
      .filter(Boolean)
      .map((line) => JSON.parse(line));
  }

  return {
    received,
    /** Waits for a notification whose summary matches `pattern`; returns it. */
    waitFor(pattern, timeout = 150_000) {
      return until(() => received().find((n) => pattern.test(n.summary)), {
        timeout,
        interval: 250,
        what: `a notification matching ${pattern} (got ${JSON.stringify(received())})`,
      });
    },
    /**
     * Left-clicks the notification on screen (dunst shows the newest on top). A desktop's window
     * manager keeps notifications above other windows; Xvfb has none, so a window mapped after
     * the notification (the app coming back from the tray) covers it and the click would land
     * on the app: raise it first, and make sure the pointer is on it before clicking.
     */
    async click() {
      const id = await until(() => visibleWindows("^Dunst$")[0] ?? visibleWindowsByClass(), {
        what: "dunst's window",
      });
      xdotool("windowraise", id);
      const g = geometry(id);
      xdotool("mousemove", g.x + Math.floor(g.width / 2), g.y + 12);
      await until(() => /window:(\d+)/.exec(xdotool("getmouselocation"))?.[1] === String(id), {
        what: "the pointer on dunst's window (another window covers it)",
      });
      xdotool("click", "1");
    },
    async stop() {
      dunst.kill("SIGTERM");
    },
  };
}

function visibleWindowsByClass() {
  try {
    return xdotool("search", "--onlyvisible", "--class", "Dunst").split("\n").filter(Boolean)[0];
  } catch {
    return undefined;
  }
}
