// End to end through the real app (offline mode, the embedded local agent): a CSV with problems
// is dropped on the window (Rust records the dropped path; the Batches screen imports it), one
// row's unknown style is fixed in its cell, a row with a too-long prompt is skipped, the batch
// runs to the end, and the results CSV is written and read back; the files are named by
// output_name, and the Library groups the batch's videos under a header (collapsible from the
// keyboard, clean under axe) that opens the batch on the Batches screen. Screenshots go to
// target/e2e-shots/batch-*.png.
import assert from "node:assert/strict";
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { basename, join } from "node:path";
import { after, before, describe, it } from "node:test";
import { appBinary, launchApp } from "./driver.mjs";
import { audit } from "./axe.mjs";
import { navigate, onScreen, shoot } from "./helpers.mjs";
import { dragFiles } from "./native/drag.mjs";

const STEP = { timeout: 240_000 };

const sel = (id) => `[data-testid="${id}"]`;

async function attr(browser, selector, name) {
  return browser.execute(
    (s, n) => document.querySelector(s)?.getAttribute(n) ?? null,
    selector,
    name,
  );
}

describe("a batch from a CSV with problems to a results file", () => {
  let app;
  let dir;
  let csv;
  before(async () => {
    assert.ok(existsSync(appBinary()), `app binary not found at ${appBinary()}; build it first`);
    dir = mkdtempSync(join(tmpdir(), "vas-batch-e2e-"));
    csv = join(dir, "series.csv");
    writeFileSync(
      csv,
      [
        "prompt,title,style,output_name",
        '"A 2-second video about lamps.",Lamps,,lamps',
        '"A 2-second video about chairs.",Chairs,No Such Style,chairs',
        `"${"x".repeat(10_001)}",Too long,,long`,
        '"A 2-second video about tables.",Tables,,tables',
        "",
      ].join("\n"),
    );
    app = await launchApp();
    const { browser } = app;
    await onScreen(browser, "welcome");
    await browser.$("#try-offline").click();
    await browser.$(sel("offline-banner")).waitForExist({ timeout: 30_000 });
  });
  after(async () => {
    await app?.stop();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it("imports a dropped CSV and marks each problem at its row and column", STEP, async () => {
    const { browser } = app;
    // A real drag (GTK drag source → XDND → the app), as from a file manager.
    await dragFiles([csv]);
    await onScreen(browser, "batches");
    await browser
      .$(sel("batch-preview-table"))
      .waitForExist({ timeout: 30_000 })
      .catch(async (e) => {
        const shown = await browser.execute(
          (s) => document.querySelector(s)?.textContent ?? "(no error shown)",
          sel("batch-error"),
        );
        throw new Error(`no preview: ${shown}`, { cause: e });
      });
    assert.equal(await attr(browser, sel("preview-row-1"), "data-problems"), "0");
    assert.equal(await attr(browser, sel("preview-row-2"), "data-problems"), "1");
    assert.equal(await attr(browser, sel("preview-row-3"), "data-problems"), "1");
    assert.match(
      await browser.$(sel("problem-2-style")).getText(),
      /unknown style "No Such Style"/,
    );
    assert.match(await browser.$(sel("problem-3-prompt")).getText(), /10001 characters/);
    assert.equal(await browser.$(sel("batch-start")).isEnabled(), false, "blocked by problems");
    await shoot(browser, "batch-01-preview-with-problems");
  });

  it("fixes one row's cell and skips another", STEP, async () => {
    const { browser } = app;
    const cell = browser.$(sel("cell-2-style"));
    await cell.click();
    await cell.clearValue();
    await cell.setValue("Noir Detective");
    await browser.keys("Tab");
    await browser.waitUntil(
      async () => (await attr(browser, sel("preview-row-2"), "data-problems")) === "0",
      { timeout: 15_000, timeoutMsg: "row 2 still has a problem after the fix" },
    );
    await browser.$(sel("skip-3")).click();
    await browser.waitUntil(async () => (await browser.$(sel("batch-skipped")).getText()) === "1", {
      timeout: 15_000,
      timeoutMsg: "row 3 was not skipped",
    });
    assert.equal(await browser.$(sel("batch-ready")).getText(), "3");
    await browser.$(sel("batch-concurrency")).setValue("2");
    await browser.$(sel("batch-start")).waitForEnabled({ timeout: 10_000 });
    await shoot(browser, "batch-02-fixed-and-skipped");
  });

  it("runs the batch to the end and exports the results", STEP, async () => {
    const { browser } = app;
    await browser.$(sel("batch-start")).click();
    await browser.$('article[data-state="completed"]').waitForExist({
      timeout: 200_000,
      timeoutMsg: "the batch did not complete",
    });
    await browser.$('[data-testid="batch-row-1"][data-state="downloaded"]').waitForExist({
      timeout: 10_000,
    });
    await shoot(browser, "batch-03-completed");
    await browser.$(sel("batch-export")).click();
    const pathEl = browser.$(sel("batch-export-path"));
    await pathEl.waitForExist({ timeout: 15_000 });
    const path = (await pathEl.getText()).trim();
    assert.equal(path, join(dir, "series-results.csv"));
    const lines = readFileSync(path, "utf8").trim().split(/\r?\n/);
    const header = lines[0].split(",");
    assert.deepEqual(header.slice(0, 4), ["prompt", "title", "style", "output_name"]);
    assert.ok(header.includes("file_path") && header.includes("share_link"));
    const state = header.indexOf("state");
    const file = header.indexOf("file_path");
    const rows = lines.slice(1).map((l) => l.split(","));
    assert.equal(rows.length, 4, lines.join("\n"));
    const states = rows.map((r) => r[state]);
    assert.deepEqual(states, ["downloaded", "downloaded", "skipped", "downloaded"]);
    for (const r of rows.filter((r) => r[state] === "downloaded")) {
      assert.ok(existsSync(r[file]), `${r[file]} exists`);
    }
    assert.equal(rows[1][2], "Noir Detective", "the input columns as fixed in the preview");
  });

  it("names the files by output_name and groups the videos in the Library", STEP, async () => {
    const { browser } = app;
    const lines = readFileSync(join(dir, "series-results.csv"), "utf8").trim().split(/\r?\n/);
    const header = lines[0].split(",");
    const [state, file, name] = ["state", "file_path", "output_name"].map((c) => header.indexOf(c));
    for (const r of lines.slice(1).map((l) => l.split(","))) {
      if (r[state] !== "downloaded") continue;
      // `lamps.mp4`, or `lamps (2).mp4` had a file of that name been there already.
      assert.match(basename(r[file]), new RegExp(`^${r[name]}( \\(\\d+\\))?\\.mp4$`));
    }

    await navigate(browser, "library");
    const group = browser.$(sel("library-batch-group"));
    await group.waitForExist({ timeout: 15_000, timeoutMsg: "no batch group in the Library" });
    const listed = () =>
      browser.execute(() =>
        [...document.querySelectorAll('[aria-label="Jobs"] [role="listitem"]')].map((li) =>
          li.dataset.batchId ? "group" : (li.querySelector(".title")?.textContent ?? "").trim(),
        ),
      );
    await browser.waitUntil(async () => (await group.getAttribute("data-count")) === "3", {
      timeout: 15_000,
      timeoutMsg: "the group does not hold the batch's 3 videos",
    });
    assert.deepEqual(await listed(), ["group", "Lamps", "Chairs", "Tables"], "in row order");
    assert.match(
      await browser.$(sel("library-batch-counts")).getText(),
      /3 videos here · 3 of 3 ready/,
    );
    const found = await audit(browser);
    assert.deepEqual(found, [], "axe: serious or critical violations on the grouped Library");
    await shoot(browser, "batch-04-library-grouped");

    // From the keyboard: Tab from the Batch filter reaches the group's toggle; Enter collapses it.
    await browser.execute((s) => document.querySelector(s)?.focus(), sel("library-batch"));
    let focused = null;
    for (let i = 0; i < 4 && focused !== "library-batch-toggle"; i++) {
      await browser.keys("Tab");
      focused = await browser.execute(() => document.activeElement?.dataset.testid ?? null);
    }
    assert.equal(focused, "library-batch-toggle", "the group header is reachable with Tab");
    await browser.keys("Enter");
    await browser.waitUntil(async () => (await listed()).length === 1, {
      timeout: 5_000,
      timeoutMsg: "Enter did not collapse the group",
    });
    assert.equal(await attr(browser, sel("library-batch-toggle"), "aria-expanded"), "false");
    await browser.keys("Enter");
    await browser.waitUntil(async () => (await listed()).length === 4, {
      timeout: 5_000,
      timeoutMsg: "Enter did not expand the group again",
    });

    // The Batch filter stays: one batch alone.
    const batchId = await group.getAttribute("data-batch-id");
    await browser.$(sel("library-batch")).selectByAttribute("value", batchId);
    await browser.waitUntil(async () => /^3 of 3$/.test(await browser.$(".count").getText()), {
      timeout: 5_000,
      timeoutMsg: "the Batch filter did not apply",
    });

    await browser.$(sel("library-batch-open")).click();
    await onScreen(browser, "batches");
    await browser.$(sel(`batch-${batchId}`)).waitForExist({ timeout: 10_000 });
    await browser.$('[data-testid="batch-row-1"][data-state="downloaded"]').waitForExist({
      timeout: 10_000,
    });
  });
});
