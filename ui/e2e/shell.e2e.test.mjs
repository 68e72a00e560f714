// End to end: the real app binary, every screen, data that can only come from Rust.
import assert from "node:assert/strict";
import { existsSync, mkdirSync, readFileSync, statSync } from "node:fs";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { appBinary, launchApp, REPO_ROOT, SHOTS_DIR } from "./driver.mjs";

const SCREENS = [
  { id: "create", title: "Create" },
  { id: "styles", title: "Styles" },
  { id: "library", title: "Library" },
  { id: "settings", title: "Settings" },
];

/** The app version as the Rust package declares it. */
function cargoVersion() {
  const manifest = readFileSync(join(REPO_ROOT, "Cargo.toml"), "utf8");
  const match = manifest.match(/^\[package\][^[]*?^version\s*=\s*"([^"]+)"/m);
  assert.ok(match, "no [package] version in Cargo.toml");
  return match[1];
}

// Every test has its own bound so a stuck WebDriver call fails the suite instead of hanging it.
const STEP = { timeout: 60_000 };

describe("desktop shell", () => {
  let app;

  before(async () => {
    assert.ok(existsSync(appBinary()), `app binary not found at ${appBinary()}; build it first`);
    mkdirSync(SHOTS_DIR, { recursive: true });
    app = await launchApp();
  });

  after(async () => {
    await app?.stop();
  });

  async function open(screen) {
    const { browser } = app;
    await browser.$(`nav button[data-screen="${screen.id}"]`).click();
    const heading = browser.$("main h1");
    await heading.waitUntil(async () => (await heading.getText()) === screen.title, {
      timeout: 5_000,
      timeoutMsg: `the ${screen.title} screen did not appear`,
    });
    assert.equal(
      await browser.$(`nav button[data-screen="${screen.id}"]`).getAttribute("aria-current"),
      "page",
    );
  }

  async function shoot(index, screen) {
    const file = join(SHOTS_DIR, `${String(index + 1).padStart(2, "0")}-${screen.id}.png`);
    await app.browser.saveScreenshot(file);
    assert.ok(statSync(file).size > 10_000, `${file} looks empty`);
  }

  it("opens the main window on Create, talking to Rust rather than the mock", STEP, async () => {
    const { browser } = app;
    await browser.$("nav").waitForExist({ timeout: 15_000 });
    assert.equal(await browser.getTitle(), "Video Agent Studio");
    assert.equal(await browser.$("main h1").getText(), "Create");
    assert.equal(await browser.$(".banner").isExisting(), false, "the mock backend is in use");
  });

  it("shows the version and folders from Rust on Settings", STEP, async () => {
    const { browser, dataDir } = app;
    await open(SCREENS[3]);
    const version = browser.$('[data-testid="app-version"]');
    await version.waitUntil(async () => (await version.getText()) === cargoVersion(), {
      timeout: 5_000,
      timeoutMsg: "Settings never showed the version from Rust",
    });
    assert.equal(await browser.$('[role="alert"]').isExisting(), false, "Settings shows an error");
    assert.equal(await browser.$('[data-testid="data-dir"]').getText(), dataDir);
    assert.match(await browser.$('[data-testid="library-dir"]').getText(), /\/Video Agent Studio$/);
    assert.ok(statSync(dataDir).isDirectory(), "the shell did not create the data folder");
  });

  it("visits every screen and saves a screenshot of each", STEP, async () => {
    for (const [index, screen] of SCREENS.entries()) {
      await open(screen);
      await shoot(index, screen);
    }
  });

  it("shows the library folder from Rust on the Library screen", STEP, async () => {
    await open(SCREENS[2]);
    const text = await app.browser.$("main .empty").getText();
    assert.match(text, /Video Agent Studio/);
  });
});
