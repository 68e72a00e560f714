// Answers the app's native GTK file and folder dialogs (rfd) the way a keyboard user does: open
// the location field (Ctrl+L), type the path, press Enter.
import { sleep, until, visibleWindows, xdotool } from "./x11.mjs";

export async function answerFileDialog(title, path) {
  const id = await until(() => visibleWindows(`^${title}$`)[0], {
    what: `the "${title}" dialog`,
  });
  // No window manager under Xvfb gives the new dialog the keyboard: do what one would.
  xdotool("windowfocus", "--sync", id);
  await sleep(300);
  xdotool("key", "--window", id, "ctrl+l");
  await sleep(300);
  xdotool("type", "--delay", "15", path);
  // Let the location field's completion settle, then confirm.
  await sleep(500);
  xdotool("key", "Return");
  // A folder typed in full may first be entered rather than chosen; Enter again chooses it.
  try {
    await until(() => visibleWindows(`^${title}$`).length === 0, { timeout: 2_000 });
  } catch {
    xdotool("key", "Return");
    await until(() => visibleWindows(`^${title}$`).length === 0, {
      what: `the "${title}" dialog to close`,
    });
  }
}
