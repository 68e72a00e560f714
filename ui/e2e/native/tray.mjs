// A system tray for the e2e: trayer (an XEmbed tray from Debian). With no StatusNotifier host
// on the bus, libayatana-appindicator shows the app's tray icon as an XEmbed icon, which trayer
// holds; clicking it opens the app's tray menu like on a desktop panel.
import { spawn } from "node:child_process";
import { geometry, until, xdotool } from "./x11.mjs";

export async function startTray() {
  const trayer = spawn(
    "trayer",
    ["--edge", "bottom", "--align", "right", "--widthtype", "pixel", "--width", "96"].concat([
      "--heighttype",
      "pixel",
      "--height",
      "32",
      "--SetDockType",
      "false",
    ]),
    { stdio: "ignore" },
  );
  const id = await until(
    () => xdotool("search", "--onlyvisible", "--class", "trayer").split("\n").filter(Boolean)[0],
    { what: "trayer's window" },
  );
  return {
    /** Clicks the app's icon (the only one, at the tray's right end) to open its menu. */
    async openMenu() {
      const g = geometry(id);
      const half = Math.floor(g.height / 2);
      xdotool("mousemove", g.x + g.width - half, g.y + half, "click", "1");
    },
    /** Picks the `index`-th enabled item of the open menu with the keyboard. */
    async chooseFromMenu(index) {
      for (let i = 0; i < index; i += 1) xdotool("key", "Down");
      xdotool("key", "Return");
    },
    async stop() {
      trayer.kill("SIGTERM");
    },
  };
}
