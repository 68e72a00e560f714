// End to end, issue 12: a compromised web view attacks the real app through real IPC and every
// attempt is refused. Each call below is what an injected script could do (it runs in the page,
// with the page's own `__TAURI_INTERNALS__`).
import assert from "node:assert/strict";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { launchApp } from "./driver.mjs";
import { useFixtures } from "./fixtures.mjs";
import { invoke, onScreen } from "./helpers.mjs";

const STEP = { timeout: 120_000 };
const fixtures = useFixtures();

/** Calls a command; resolves to `{ ok, value | error }` instead of throwing. */
async function attempt(browser, command, args) {
  try {
    return { ok: true, value: await invoke(browser, command, args) };
  } catch (error) {
    return { ok: false, error: error.message };
  }
}

/** Reads a local file through the asset protocol, as a script in the page could. */
function readAsset(browser, path) {
  return browser.executeAsync((p, done) => {
    const url = window.__TAURI_INTERNALS__.convertFileSrc(p, "asset");
    fetch(url)
      .then(async (r) => done({ status: r.status, text: r.ok ? await r.text() : "" }))
      .catch((e) => done({ status: 0, text: "", error: String(e) }));
  }, path);
}

describe("a compromised web view can read no file, reach no host, leave no page", () => {
  let app;
  before(async () => {
    app = await launchApp();
    await onScreen(app.browser, "welcome");
    await app.browser.$("#try-offline").click();
    await app.browser.$('[data-testid="offline-banner"]').waitForExist({ timeout: 30_000 });
  });
  after(async () => app?.stop());

  it("cannot make / the library folder (and so readable)", STEP, async () => {
    const { browser } = app;
    const current = await invoke(browser, "get_settings", {});
    await attempt(browser, "update_settings", { settings: { ...current, libraryDir: "/" } });
    const after = await invoke(browser, "get_settings", {});
    assert.notEqual(after.effectiveLibraryDir, "/", "the UI moved the library folder to /");
    const passwd = await readAsset(browser, "/etc/passwd");
    assert.ok(
      !passwd.text.includes("root:"),
      "/etc/passwd was readable through the asset protocol",
    );
    const home = await readAsset(browser, join(app.home, "data", "studio.db"));
    assert.notEqual(home.status, 200, "the app's database was readable through the asset protocol");
  });

  it("cannot open or reveal a file outside the library", STEP, async () => {
    const { browser } = app;
    const settings = await invoke(browser, "get_settings", {});
    const traversal = `${settings.effectiveLibraryDir}/../../../../../../etc/passwd`;
    for (const command of ["open_file", "reveal_in_folder"]) {
      const byPath = await attempt(browser, command, { path: traversal });
      assert.equal(byPath.ok, false, `${command} accepted a path from the web view`);
      const byId = await attempt(browser, command, { jobId: "../../etc/passwd", file: "video" });
      assert.equal(byId.ok, false, `${command} accepted an unknown job`);
    }
  });

  it(
    "cannot listen to Tauri's events or emit any; the app's own event call checks its input",
    STEP,
    async () => {
      const { browser } = app;
      // Tauri's events would hand the page the window's drag and drop (paths) and let it speak
      // for Rust; the page hears from Rust only through `next_events`.
      const listen = await attempt(browser, "plugin:event|listen", {
        event: "tauri://drag-drop",
        target: { kind: "Any" },
        handler: 0,
      });
      assert.equal(listen.ok, false, "the page may listen to Tauri's events");
      const emit = await attempt(browser, "plugin:event|emit", {
        event: "close-asked",
        payload: { running: 1, quitMessage: "spoofed" },
      });
      assert.equal(emit.ok, false, "the page may emit events");
      for (const after of [-1, 0.5, 1e300, "7"]) {
        const bad = await attempt(browser, "next_events", { after });
        assert.equal(bad.ok, false, `next_events accepted the position ${JSON.stringify(after)}`);
      }
      const fine = await invoke(browser, "next_events", { after: null });
      assert.deepEqual(fine.events, []);
      assert.equal(typeof fine.next, "number");
    },
  );

  it("cannot attach or expose a file Rust did not receive", STEP, async () => {
    const { browser } = app;
    const [photo] = await invoke(browser, "inspect_files", { paths: [fixtures().photo] });
    assert.ok(photo.problem, "a path the web view named was accepted as an attachment");
    const read = await readAsset(browser, fixtures().photo);
    assert.notEqual(read.status, 200, "a path the web view named became readable");
    // The answer does not tell an existing file from a missing one.
    const [passwd, missing] = await invoke(browser, "inspect_files", {
      paths: ["/etc/passwd", "/etc/no-such-file-here"],
    });
    assert.deepEqual(
      { size: passwd.size, mime: passwd.mime, problem: passwd.problem },
      { size: missing.size, mime: missing.mime, problem: missing.problem },
      "inspect_files tells which paths exist",
    );
  });

  it("cannot make Rust fetch a URL it did not receive from the API", STEP, async () => {
    const { browser } = app;
    const page = await invoke(browser, "list_styles", { tag: null, token: null });
    const known = page.items.find((s) => s.image)?.image;
    assert.ok(known, "the offline agent lists styles with thumbnails");
    const own = await attempt(browser, "cached_media", { url: known });
    assert.equal(own.ok, true, `a style thumbnail the engine received was refused: ${own.error}`);
    const other = `${known}${known.includes("?") ? "&" : "?"}other=1`;
    for (const url of [other, "https://example.com/x.png", "http://127.0.0.1:9/x"]) {
      const result = await attempt(browser, "cached_media", { url });
      assert.equal(result.ok, false, `cached_media fetched ${url}`);
    }
  });

  it("cannot navigate the window away from the app", STEP, async () => {
    const { browser } = app;
    const start = await browser.getUrl();
    await browser.execute(() => {
      window.location.href = "https://example.com/phish";
    });
    await browser.pause(2_000);
    const now = await browser.getUrl();
    // (`URL.origin` is "null" for tauri://, so compare scheme and host.)
    const place = (u) => `${new URL(u).protocol}//${new URL(u).host}`;
    assert.equal(place(now), place(start), `navigated to ${now}`);
    await browser.$("main[data-screen]").waitForExist({ timeout: 5_000 });
  });
});
