// The UI benchmark (issue 7, `.ci/bench ui`): the Styles gallery over a 1,000-style catalogue and
// the Library over 10,000 jobs, in the real (release) app driven over WebDriver.
//
// Both sides are set up in the same run: a `local-agent` process lists the catalogue (built-in
// styles plus synthetic ones, `--extra-styles`), `qa-seed-library` writes the jobs into the app's
// real SQLite database, and the app talks to that agent (HEYGEN_BASE_URL / HEYGEN_API_KEY).
//
// What is measured, in the page: from the sidebar button's click event (a capture listener on the
// document, so before the app's own handler) to the first frame painted after the screen's first
// row entered the DOM (a MutationObserver sees the row; a requestAnimationFrame callback, then a
// message-channel task, runs after that frame is painted). Thumbnail requests are the agent's own
// count of `GET /cdn/styles/{id}/{file}` (`/__admin/stats`).
//
// Run under Xvfb and a private D-Bus session:
//   APP_BINARY=target/release/video-agent-studio dbus-run-session -- xvfb-run -a \
//     node ui/e2e/bench/ui-bench.mjs --agent-bin target/release/local-agent \
//     --seed-bin target/release/qa-seed-library [--styles 1000] [--jobs 10000] [--runs 5]
import { execFileSync } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { parseArgs } from "node:util";
import { launchApp } from "../driver.mjs";
import { measureOpen, startAgent } from "./measure.mjs";

// Issue 17: the median of the runs within 150 ms and the worst within 300 ms, as shipped.
const TARGET_MS = 150;
const WORST_MS = 300;
const onTarget = (s) => s.median <= TARGET_MS && s.max <= WORST_MS;
const TARGET_TEXT = `(target median <= ${TARGET_MS} ms, worst <= ${WORST_MS} ms)`;
// Three screens of cards: the agent's thumbnails the gallery's first open can ask for.
const WARM_THUMBNAILS = 60;
const STYLE_MEDIA_ROUTE = "GET /cdn/styles/{id}/{file}";
const GALLERY_ROW = "li.style[data-style-id]";
const LIBRARY_ROW = ".row[data-job-id]";
// The floor: a trivial screen (a heading and a short list, no cards, no IPC before its first
// frame) measured the same way in the same run, so the gallery's figure reads against what the
// stack (WebKitGTK under Xvfb, software rendering) needs to show anything after a click.
const FLOOR_ROW = '[data-testid="sessions"]';

const { values: opts } = parseArgs({
  options: {
    "agent-bin": { type: "string" },
    "seed-bin": { type: "string" },
    app: { type: "string" },
    styles: { type: "string", default: "1000" },
    jobs: { type: "string", default: "10000" },
    runs: { type: "string", default: "5" },
    // Printed before each figure, so a comparison run's lines say what they are in the summary.
    label: { type: "string", default: "" },
  },
});
if (!opts["agent-bin"] || !opts["seed-bin"]) {
  console.error("usage: ui-bench.mjs --agent-bin PATH --seed-bin PATH [--app PATH] [--styles N]");
  process.exit(2);
}
if (opts.app) process.env.APP_BINARY = opts.app;
const STYLES = Number(opts.styles);
const JOBS = Number(opts.jobs);
const RUNS = Math.max(2, Number(opts.runs));
const LABEL = opts.label ? `${opts.label}: ` : "";

const pause = (ms) => new Promise((done) => setTimeout(done, ms));
const log = (...args) => console.error("[ui-bench]", ...args);

/** Walks the style catalogue through its cursor pages (limit 100): { styles, pages }. */
async function walkCatalogue(base) {
  const styles = [];
  let token = null;
  let pages = 0;
  do {
    const url = new URL("/v3/video-agents/styles", base);
    url.searchParams.set("limit", "100");
    if (token) url.searchParams.set("token", token);
    const response = await fetch(url, { headers: { "X-Api-Key": "bench-ui-key" } });
    if (!response.ok) throw new Error(`${url} answered ${response.status}`);
    const page = await response.json();
    styles.push(...page.data);
    token = page.next_token;
    pages += 1;
  } while (token);
  return { styles, pages };
}

/**
 * Has the agent make the thumbnails of the first `count` styles (catalogue order, which is the
 * gallery's) before the app starts. HeyGen serves them ready-made from a CDN; the local agent
 * draws each on its first request (ffmpeg for the built-in styles), and on these 2 cores that
 * work ran beside the gallery's first open and held its first frame. Returns the ms it took.
 */
async function warmThumbnails(styles, count) {
  const started = Date.now();
  const queue = styles.slice(0, count).map((s) => s.thumbnail_url);
  const worker = async () => {
    for (let url = queue.shift(); url; url = queue.shift()) {
      const response = await fetch(url);
      if (!response.ok) throw new Error(`${url} answered ${response.status}`);
      await response.arrayBuffer();
    }
  };
  await Promise.all([worker(), worker()]);
  return Date.now() - started;
}

async function styleMediaRequests(base) {
  const stats = await (
    await fetch(new URL("/__admin/stats", base), { headers: { "X-Api-Key": "bench-ui-key" } })
  ).json();
  return stats.requests?.[STYLE_MEDIA_ROUTE] ?? 0;
}

/**
 * Waits until the gallery's cards have their thumbnails and the agent has seen no style media
 * request for a while; returns { cards, images }.
 */
async function settleGallery(browser, base) {
  let last = await styleMediaRequests(base);
  let quietSince = Date.now();
  const deadline = Date.now() + 60_000;
  for (;;) {
    await pause(250);
    const now = await styleMediaRequests(base);
    if (now !== last) {
      last = now;
      quietSince = Date.now();
    }
    const state = await browser.execute(() => {
      const cards = document.querySelectorAll("li.style").length;
      const images = [...document.querySelectorAll("li.style .media img")].filter(
        (i) => i.complete && i.naturalWidth > 0,
      ).length;
      return { cards, images };
    });
    if (state.cards > 0 && state.images === state.cards && Date.now() - quietSince > 1_500) {
      return state;
    }
    if (Date.now() > deadline) {
      throw new Error(`the gallery did not settle: ${JSON.stringify(state)}`);
    }
  }
}

/** What `WEBKIT_DISABLE_COMPOSITING_MODE` (unset: the app's own choice) makes of the window. */
function renderingMode(setting) {
  if (setting === undefined) {
    return "as the app ships (it chooses: without a GPU render node, CPU painting and no compositing)";
  }
  return setting === "0"
    ? "composited (WEBKIT_DISABLE_COMPOSITING_MODE=0: WebKit's OpenGL compositor thread)"
    : `non-composited (WEBKIT_DISABLE_COMPOSITING_MODE=${setting}: the web view's main thread paints the window)`;
}

function summary(values) {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  const median = sorted.length % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
  return { median, max: sorted[sorted.length - 1] };
}

const fmt = (ms) => `${ms.toFixed(0)} ms`;
const verdict = (ok) => (ok ? "ok" : "MISS");
const list = (values) => values.map((v) => v.toFixed(0)).join(" ");

async function main() {
  const work = mkdtempSync(join(tmpdir(), "vas-ui-bench-"));
  let agent;
  let app;
  try {
    // The catalogue: the built-in styles plus enough synthetic ones to make STYLES in all.
    const agentDir = join(work, "agent");
    agent = await startAgent(opts["agent-bin"], agentDir, STYLES);
    const probe = await walkCatalogue(agent.base);
    const builtIn = probe.styles.filter((s) => !s.style_id.startsWith("style_synthetic_")).length;
    await agent.stop();
    agent = await startAgent(opts["agent-bin"], agentDir, STYLES - builtIn);
    const catalogue = await walkCatalogue(agent.base);
    const ids = new Set(catalogue.styles.map((s) => s.style_id));
    if (catalogue.styles.length !== STYLES || ids.size !== STYLES) {
      throw new Error(`the catalogue lists ${catalogue.styles.length} styles (${ids.size} ids)`);
    }
    const warmMs = await warmThumbnails(catalogue.styles, WARM_THUMBNAILS);
    console.log(`rendering: ${renderingMode(process.env.WEBKIT_DISABLE_COMPOSITING_MODE)}`);
    console.log(
      `catalogue: ${STYLES} styles (${builtIn} built in + ${STYLES - builtIn} synthetic), ` +
        `walked over the API in ${catalogue.pages} pages of 100; the agent made the first ` +
        `${WARM_THUMBNAILS} thumbnails before the app started (${warmMs} ms), as a CDN has them ready`,
    );

    // The library: JOBS jobs in the app's own database, before the app starts.
    const home = join(work, "home");
    const seeded = JSON.parse(
      execFileSync(opts["seed-bin"], ["--data-dir", join(home, "data"), "--jobs", String(JOBS)], {
        stdio: ["ignore", "pipe", "inherit"],
      }).toString(),
    );
    console.log(
      `library: ${seeded.jobs} jobs seeded into ${seeded.db_path} in ${seeded.seconds.toFixed(1)} s ` +
        `(${seeded.total_jobs_in_db} in the database; ${Object.entries(seeded.by_state)
          .map(([state, n]) => `${state} ${n}`)
          .join(", ")})`,
    );

    app = await launchApp({
      home,
      env: { HEYGEN_BASE_URL: agent.base, HEYGEN_API_KEY: "bench-ui-key" },
    });
    const { browser } = app;
    await browser.$('main[data-screen="create"]').waitForExist({ timeout: 30_000 });
    // Start-up work (the job list loads in pages of 500) finishes before the first click.
    await pause(3_000);

    const gallery = [];
    const library = [];
    const floor = [];
    let firstOpen;
    let secondOpen;
    let libraryCount = "";
    const before = await styleMediaRequests(agent.base);
    for (let run = 0; run < RUNS; run += 1) {
      const g = await measureOpen(browser, "styles", GALLERY_ROW);
      gallery.push(g);
      if (run === 0) {
        const settled = await settleGallery(browser, agent.base);
        const after = await styleMediaRequests(agent.base);
        firstOpen = { ...settled, requests: after - before, after };
      } else if (run === 1) {
        const settled = await settleGallery(browser, agent.base);
        const after = await styleMediaRequests(agent.base);
        secondOpen = { ...settled, requests: after - firstOpen.after };
      }
      const l = await measureOpen(browser, "library", LIBRARY_ROW);
      library.push(l);
      libraryCount = await browser.$(".toolbar .count").getText();
      const f = await measureOpen(browser, "sessions", FLOOR_ROW);
      floor.push(f);
      log(
        `run ${run + 1}: gallery ${fmt(g.shownMs)}, library ${fmt(l.shownMs)}, ` +
          `floor (Sessions) ${fmt(f.shownMs)}`,
      );
    }
    // Once more with the main thread watched for 500 ms after the click: the longest gap between
    // two consecutive message-channel tasks is the longest stretch the page could not run script
    // (rendering, painting or script), and when it began.
    const probeG = await measureOpen(browser, "styles", GALLERY_ROW, { probeMs: 500 });
    const probeF = await measureOpen(browser, "sessions", FLOOR_ROW, { probeMs: 500 });
    if (!libraryCount.endsWith(JOBS.toLocaleString("en-US"))) {
      throw new Error(`the Library shows "${libraryCount}", not ${JOBS} jobs`);
    }

    const g = summary(gallery.map((r) => r.shownMs));
    const l = summary(library.map((r) => r.shownMs));
    const fl = summary(floor.map((r) => r.shownMs));
    console.log(
      `${LABEL}gallery time to first screen (${STYLES.toLocaleString("en-US")} styles; median of ${RUNS}): ` +
        `${fmt(g.median)}, max ${fmt(g.max)} [${list(gallery.map((r) => r.shownMs))}] ` +
        `${TARGET_TEXT} ${verdict(onTarget(g))}`,
    );
    console.log(
      `  first open, nothing cached: ${fmt(gallery[0].shownMs)}; ${gallery[0].rows} cards on the ` +
        `first screen; main thread free after the frame at ${list(gallery.map((r) => r.paintedMs))} ms, ` +
        `next frame at ${list(gallery.map((r) => r.nextFrameMs))} ms; row in the DOM after ${list(gallery.map((r) => r.domMs))} ms, its animation ` +
        `frame at ${list(gallery.map((r) => r.frameMs))} ms; ` +
        `WebDriver click-to-found ${list(gallery.map((r) => r.webdriverMs))} ms`,
    );
    console.log(
      `${LABEL}library time to first screen (${JOBS.toLocaleString("en-US")} jobs, "${libraryCount}"; median of ${RUNS}): ` +
        `${fmt(l.median)}, max ${fmt(l.max)} [${list(library.map((r) => r.shownMs))}] ` +
        `${TARGET_TEXT} ${verdict(onTarget(l))}`,
    );
    console.log(
      `  ${library[0].rows} rows in the DOM (virtualised); main thread free after the frame at ` +
        `${list(library.map((r) => r.paintedMs))} ms, next frame at ` +
        `${list(library.map((r) => r.nextFrameMs))} ms; row in the DOM after ` +
        `${list(library.map((r) => r.domMs))} ms, its animation frame at ` +
        `${list(library.map((r) => r.frameMs))} ms; WebDriver click-to-found ` +
        `${list(library.map((r) => r.webdriverMs))} ms`,
    );
    console.log(
      `floor: a trivial screen (Sessions) the same way, same run (median of ${RUNS}): ` +
        `${fmt(fl.median)}, max ${fmt(fl.max)} [${list(floor.map((r) => r.shownMs))}]; ` +
        `gallery/floor ${(g.median / fl.median).toFixed(2)}x, library/floor ${(l.median / fl.median).toFixed(2)}x`,
    );
    const gap = (p) =>
      `longest main-thread gap ${fmt(p.gapMs)} starting at ${fmt(p.gapAt)}, frames at ` +
      `[${list(p.frames.filter((t) => t < 300))}] ms${p.longTasks.length ? `, long tasks ${p.longTasks.join(" ")}` : ""}`;
    console.log(`  main thread after the click: gallery ${gap(probeG)}`);
    console.log(`                               floor   ${gap(probeF)}`);
    console.log(
      `${LABEL}thumbnail requests on the gallery's second open: ${secondOpen.requests} ` +
        `(${secondOpen.cards} cards shown; the first open made ${firstOpen.requests} for ` +
        `${firstOpen.cards} cards) (target 0) ${verdict(secondOpen.requests === 0)}`,
    );
    console.log(
      "  measured in the page: sidebar click event (capture listener, before the app's handler) " +
        "-> the first row's frame on screen (MutationObserver sees the row; its requestAnimationFrame; " +
        "then the later of a message-channel task queued there and the next animation frame, which " +
        "WebKit starts only once that frame is rendered); thumbnail requests = the agent's count of " +
        `"${STYLE_MEDIA_ROUTE}"`,
    );
  } finally {
    await app?.stop().catch((e) => log(`stopping the app: ${e.message}`));
    await agent?.stop();
    rmSync(work, { recursive: true, force: true, maxRetries: 10, retryDelay: 200 });
  }
}

main().catch((error) => {
  console.error(`ui-bench: ${error.stack ?? error}`);
  process.exit(1);
});
