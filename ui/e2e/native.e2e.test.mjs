// End to end, the app as a native desktop app under Xvfb: one instance (a second launch hands
// its files over), the window remembered per display configuration and never off-screen, work
// in the background (close to the tray, the tray's menu, quitting), and notifications from a
// real notification server (dunst) that open the right job when clicked.
import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { copyFileSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { appBinary, launchApp } from "./driver.mjs";
import { useFixtures } from "./fixtures.mjs";
import { navigate, onScreen, shoot, tryOffline, waitForText } from "./helpers.mjs";
import { dragFiles } from "./native/drag.mjs";
import { startDunst } from "./native/notifications.mjs";
import { answerFileDialog } from "./native/pickers.mjs";
import { startTray } from "./native/tray.mjs";
import {
  appWindow,
  closeWindow,
  geometry,
  shootScreen,
  sleep,
  until,
  visibleWindows,
  xdotool,
} from "./native/x11.mjs";

const STEP = { timeout: 240_000 };
const fixtures = useFixtures();

/** Launches the binary a second time, as a file manager's "Open with" does; resolves to its exit code. */
function launchAgain(args) {
  const home = mkdtempSync(join(tmpdir(), "vas-second-"));
  return new Promise((resolve, reject) => {
    const second = spawn(appBinary(), args, {
      env: { ...process.env, HOME: home, VAS_DATA_DIR: join(home, "data") },
      stdio: ["ignore", "ignore", "pipe"],
    });
    const stderr = [];
    second.stderr.on("data", (c) => stderr.push(c.toString()));
    const timer = setTimeout(() => {
      second.kill("SIGKILL");
      reject(new Error("the second instance did not exit: it started a second app"));
    }, 20_000);
    second.on("exit", (code, signal) => {
      clearTimeout(timer);
      rmSync(home, { recursive: true, force: true });
      // Killed by a signal (seen once in CI): say which, and what it printed.
      if (code === null) console.log(`second instance ended by ${signal}: ${stderr.join("")}`);
      resolve(code);
    });
  });
}

/** The saved window state, or null while there is none. */
function savedWindowState(dataDir) {
  try {
    return JSON.parse(readFileSync(join(dataDir, "window-state.json"), "utf8"));
  } catch {
    return null;
  }
}

function savedGeometry(dataDir) {
  const state = savedWindowState(dataDir);
  return state?.last ? state.configurations[state.last] : null;
}

describe("one instance, and a window that comes back where it was", () => {
  let app;
  let home;
  before(async () => {
    app = await launchApp();
    home = app.home;
  });
  after(async () => app?.stop());

  it("a second launch hands its files to the running window and exits", STEP, async () => {
    const { browser } = app;
    await tryOffline(browser);
    try {
      await navigate(browser, "library"); // the files must bring Create back
    } catch (error) {
      await shoot(browser, "native-01-FAILED");
      const text = await browser.execute(() => document.body.innerText);
      throw new Error(`Library did not open: ${text}`, { cause: error });
    }
    const code = await launchAgain([fixtures().photo]);
    assert.equal(code, 0, "the second instance failed instead of handing over");
    await onScreen(browser, "create");
    const chip = browser.$('li.chip[data-file="sunflower.png"]');
    await chip.waitForExist({
      timeout: 10_000,
      timeoutMsg: "the handed-over file was not attached",
    });
    await waitForText(chip, /PNG · \d/);
    assert.equal(visibleWindows("^Video Agent Studio$").length, 1, "a second window opened");
    await shoot(browser, "native-01-single-instance-handover");

    // A CSV is a batch to import, not an attachment: the Batches screen previews it.
    const sheet = join(fixtures().dir, "videos.csv");
    writeFileSync(sheet, "prompt\nA video about kites\n");
    assert.equal(await launchAgain([sheet]), 0);
    await onScreen(browser, "batches");
    await waitForText(browser.$('[data-testid="batch-ready"]'), /^1$/);
    assert.equal(await browser.$('li.chip[data-file="videos.csv"]').isExisting(), false);
  });

  it("remembers size and position, and never restores off-screen", STEP, async () => {
    const id = await appWindow();
    xdotool("windowsize", id, 1100, 720);
    xdotool("windowmove", id, 60, 40);
    // The deterministic signal: the state file says exactly this (written on move/resize).
    const saved = await until(
      () => {
        const g = savedGeometry(app.dataDir);
        return g && g.width === 1100 && g.height === 720 && g.x === 60 && g.y === 40 && g;
      },
      {
        what: `window-state.json to record 1100x720 at 60,40 (has ${JSON.stringify(savedWindowState(app.dataDir))})`,
      },
    );
    assert.equal(saved.maximized, false);
    await app.stop({ keep: true });
    app = null;

    app = await launchApp({ home });
    const again = await appWindow();
    await until(
      () => {
        const g = geometry(again);
        return g.width === 1100 && g.height === 720 && g.x === 60 && g.y === 40;
      },
      { what: `the window back at 1100x720+60+40 (is ${JSON.stringify(geometry(again))})` },
    );
    await app.stop({ keep: true });
    app = null;

    // The monitor it was on is gone (or the file was edited): it comes back on-screen.
    const state = savedWindowState(join(home, "data"));
    const entry = state.configurations[state.last];
    Object.assign(entry, { x: 5000, y: 3000, monitor: "HDMI-9" });
    writeFileSync(join(home, "data", "window-state.json"), JSON.stringify(state));
    app = await launchApp({ home });
    const third = await appWindow();
    const screen = { width: 1280, height: 800 };
    await until(
      () => {
        const g = geometry(third);
        return (
          g.x >= 0 && g.y >= 0 && g.x + g.width <= screen.width && g.y + g.height <= screen.height
        );
      },
      { what: `the window on-screen (is ${JSON.stringify(geometry(third))})` },
    );
  });
});

describe("work in the background: close to the tray, notifications that open the job", () => {
  let app;
  let dunst;
  let tray;
  before(async () => {
    dunst = await startDunst();
    tray = await startTray();
    app = await launchApp();
  });
  after(async () => {
    await app?.stop();
    await tray?.stop();
    await dunst?.stop();
  });

  it("asks once on close while a video is made, then keeps working in the tray", STEP, async () => {
    const { browser } = app;
    await tryOffline(browser);
    await browser.$("#prompt").setValue("A 4-second video about lighthouses at night.");
    await browser.$("#generate").click();
    await onScreen(browser, "library", 60_000);
    try {
      await browser.$(".row").waitForExist({ timeout: 10_000 });
    } catch (error) {
      await shoot(browser, "native-02-FAILED");
      const text = await browser.execute(() => document.body.innerText);
      throw new Error(`no job row: ${text}`, { cause: error });
    }

    const id = await appWindow();
    closeWindow(id);
    const dialog = browser.$('[data-testid="close-dialog"]');
    await dialog.waitForExist({ timeout: 10_000, timeoutMsg: "closing did not ask" });
    await waitForText(dialog, /resumes? the next time you open/);
    await shoot(browser, "native-02-close-asks");
    // Pressed from a script: the window hides in reaction, and WebKitWebDriver's click would
    // wait for the hidden window to paint again (it times out).
    await browser.execute(() => document.getElementById("close-keep").click());
    await until(() => visibleWindows("^Video Agent Studio$").length === 0, {
      what: "the window to hide to the tray",
    });
    const prefs = JSON.parse(readFileSync(join(app.dataDir, "desktop.json"), "utf8"));
    assert.equal(prefs.keep_running_in_tray, true, "the answer was not remembered");

    // The tray's menu says what is running and opens the window.
    await tray.openMenu();
    await sleep(500);
    shootScreen("native-03-tray-menu");
    await tray.chooseFromMenu(1); // "Open Video Agent Studio" (the status line is disabled)
    await appWindow();
  });

  it(
    'a click on "Video ready" brings the window back from the tray with that job',
    STEP,
    async () => {
      const { browser } = app;
      // Another video in the making (with nothing running, closing quits), then the window
      // hidden in the tray again (asked once already: no question now).
      await navigate(browser, "create");
      await browser.$("#prompt").setValue("A 6-second video about tide pools.");
      await browser.$("#generate").click();
      await onScreen(browser, "library", 60_000);
      await navigate(browser, "create");
      closeWindow(await appWindow());
      await until(() => visibleWindows("^Video Agent Studio$").length === 0, {
        what: "the window to hide to the tray",
      });
      const ready = await dunst.waitFor(/^Video ready$/);
      assert.match(ready.body, /is in your library/);
      assert.equal(ready.app, "Video Agent Studio");
      await sleep(300);
      shootScreen("native-04-notification");
      await dunst.click();
      await appWindow(10_000).catch((error) => {
        const log = app.driverOutput().split("\n").slice(-60);
        throw new Error(
          `the click did not bring the window back; dunst windows: ` +
            `${JSON.stringify(visibleWindows("^Dunst$"))}; app log: ${log.join(" | ")}`,
          { cause: error },
        );
      });
      const row = browser.$(".row.highlight");
      try {
        await row.waitForExist({ timeout: 10_000 });
      } catch (error) {
        await shoot(browser, "native-05-FAILED");
        const where = await browser.execute(() => ({
          screen: document.querySelector("main")?.dataset.screen,
          rows: [...document.querySelectorAll(".row")].map(
            (r) => `${r.dataset.jobId}:${r.dataset.state}:${r.className}`,
          ),
          visibility: document.visibilityState,
        }));
        const log = app
          .driverOutput()
          .split("\n")
          .filter((l) => /notification|open_job|OpenJob/i.test(l));
        throw new Error(
          `the clicked job was not brought into view: ${JSON.stringify(where)}; ` +
            `notifications: ${JSON.stringify(dunst.received())}; app log: ${log.join(" | ")}`,
          { cause: error },
        );
      }
      assert.equal(await row.getAttribute("data-state"), "downloaded");
      // The row of a video whose "Video ready" was shown (the second video may be ready too,
      // and which of the two dunst stacks on top is its business).
      const text = await row.getProperty("textContent");
      const titles = dunst
        .received()
        .filter((n) => n.summary === "Video ready")
        .map((n) => n.body.replace(/ is in your library\.$/, ""));
      assert.ok(
        titles.some((t) => text.includes(t)),
        `the highlighted row (${text}) is none of ${JSON.stringify(titles)}`,
      );
      await onScreen(browser, "library");
      await shoot(browser, "native-05-notification-click-job");
    },
  );

  it(
    "closing again does not ask; quitting from the tray says the video resumes next time",
    STEP,
    async () => {
      const { browser } = app;
      await navigate(browser, "create");
      await browser.$("#prompt").setValue("A 6-second video about glaciers.");
      await browser.$("#generate").click();
      await onScreen(browser, "library", 60_000);
      // Asked once: closing now hides without asking (asking would keep the window open with the
      // question). No WebDriver call while it is hidden: WebKitWebDriver takes a page that does
      // not paint for a hung one and ends the session.
      closeWindow(await appWindow());
      await until(() => visibleWindows("^Video Agent Studio$").length === 0, {
        what: "the window to hide again without asking",
      });
      await tray.openMenu();
      await sleep(300);
      await tray.chooseFromMenu(2); // "Quit"
      const quit = await dunst.waitFor(/quit$/, 20_000);
      assert.match(quit.body, /resumes? the next time you open Video Agent Studio/);
      await until(() => visibleWindows("^Video Agent Studio$").length === 0, {
        what: "the app to quit",
      });
      // The app is gone: its WebDriver session with it.
      await app.stop().catch(() => undefined);
      app = null;
    },
  );
});

describe("real drag and drop of a folder, and the native pickers", () => {
  let app;
  before(async () => {
    app = await launchApp();
  });
  after(async () => app?.stop());

  it("a dropped folder attaches the files in it", STEP, async () => {
    const { browser } = app;
    await tryOffline(browser);
    const folder = join(fixtures().dir, "slides");
    mkdirSync(folder, { recursive: true });
    copyFileSync(fixtures().photo, join(folder, "slide-a.png"));
    copyFileSync(fixtures().photo, join(folder, "slide-b.png"));
    await dragFiles([folder]);
    for (const name of ["slide-a.png", "slide-b.png"]) {
      await browser.$(`li.chip[data-file="${name}"]`).waitForExist({
        timeout: 10_000,
        timeoutMsg: `${name} from the dropped folder is missing`,
      });
    }
    assert.equal(await browser.$('li.chip[data-file="slides"]').isExisting(), false);
    shootScreen("native-06-real-folder-drop");
  });

  it("picks a file and a folder in the native GTK dialogs with the keyboard", STEP, async () => {
    const { browser } = app;
    const picked = join(fixtures().dir, "picked.png");
    copyFileSync(fixtures().photo, picked);
    await browser.$("#add-files").click();
    await answerFileDialog("Add files to the video", picked);
    await browser
      .$('li.chip[data-file="picked.png"]')
      .waitForExist({ timeout: 10_000, timeoutMsg: "the picked file was not attached" });

    const library = join(fixtures().dir, "My Videos");
    mkdirSync(library, { recursive: true });
    await navigate(browser, "settings");
    await browser.$("button=Change…").click();
    await answerFileDialog("Choose the library folder", library);
    await waitForText(browser.$('[data-testid="library-dir"]'), /My Videos$/);
  });
});
