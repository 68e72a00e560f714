// Real drag and drop under Xvfb: a GTK drag source (drag-source.py) offers files as
// text/uri-list, and xdotool presses on it, moves onto the app's window and releases, so GTK's
// XDND delivers the drop to the app exactly as a file manager's drag would.
import { spawn } from "node:child_process";
import { join } from "node:path";
import { appWindow, geometry, sleep, until, visibleWindows, xdotool } from "./x11.mjs";

const SCRIPT = join(import.meta.dirname, "drag-source.py");

/** Where the source window goes: the bottom-left corner, left of the app's centre. */
const SOURCE_AT = { x: 0, y: 600 };

/**
 * Drags `paths` from the source onto the middle of the app's window and drops them. `whileOver`
 * runs while the drag hovers over the app (the button still down), e.g. to see the overlay.
 */
export async function dragFiles(paths, { whileOver } = {}) {
  const target = geometry(await appWindow());
  const output = [];
  const source = spawn("/usr/bin/python3", [SCRIPT, SOURCE_AT.x, SOURCE_AT.y, ...paths], {
    stdio: ["ignore", "pipe", "pipe"],
  });
  source.stdout.on("data", (c) => output.push(c.toString()));
  source.stderr.on("data", (c) => output.push(c.toString()));
  try {
    await until(() => output.join("").includes("ready"), {
      what: `the drag source to map (${output.join("")})`,
    });
    const id = await until(() => visibleWindows("^vas-drag-source$")[0], {
      what: "the drag source window",
    });
    const from = geometry(id);
    const start = {
      x: from.x + Math.floor(from.width / 2),
      y: from.y + Math.floor(from.height / 2),
    };
    const end = {
      x: target.x + Math.floor(target.width / 2),
      y: target.y + Math.floor(target.height / 2),
    };
    xdotool("mousemove", start.x, start.y);
    await sleep(150);
    xdotool("mousedown", "1");
    // Past GTK's drag threshold in small steps, then across in steps, as a hand would move.
    for (const dx of [4, 8, 16, 24]) {
      xdotool("mousemove", start.x + dx, start.y - dx);
      await sleep(60);
    }
    const steps = 12;
    for (let i = 1; i <= steps; i += 1) {
      xdotool(
        "mousemove",
        Math.round(start.x + ((end.x - start.x) * i) / steps),
        Math.round(start.y + ((end.y - start.y) * i) / steps),
      );
      await sleep(60);
    }
    // A last wiggle so the target answers an XdndPosition at the final spot.
    xdotool("mousemove", end.x + 2, end.y + 2);
    await sleep(300);
    if (whileOver) await whileOver();
    xdotool("mouseup", "1");
    await until(() => output.join("").includes("done"), {
      timeout: 10_000,
      what: `the drag to end (${output.join("")})`,
    });
  } finally {
    source.kill("SIGTERM");
  }
}
