// Where does the time after a screen's first frame go? (issue 7, the gallery's 150 ms target.)
// A diagnostic companion to ui-bench.mjs, not part of `.ci/bench`: it opens each screen several
// times in the real app, with CSS variants injected into the running page (no rebuild per
// variant), and prints, per screen and variant, the click → painted time (the bench's measure)
// plus the longest main-thread gap seen by a chain of message-channel tasks (a blocked main
// thread shows as a gap between two consecutive tasks) and the long tasks WebKit reports, if any.
//
//   APP_BINARY=…/release/video-agent-studio dbus-run-session -- xvfb-run -a \
//     -s "-screen 0 1280x800x24" node ui/e2e/bench/stall-probe.mjs --agent-bin …/local-agent \
//     [--styles 1000] [--runs 3] [--variants base,noshadow]
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { parseArgs } from "node:util";
import { launchApp } from "../driver.mjs";
import { measureOpen, startAgent } from "./measure.mjs";

const VARIANTS = {
  base: "",
  noshadow: "*, *::before, *::after { box-shadow: none !important; }",
  noradius: "*, *::before, *::after { border-radius: 0 !important; }",
  hidden: "main .content { visibility: hidden !important; }",
  nocontent: "main .content { display: none !important; }",
  cardflat:
    ".card { box-shadow: none !important; border-radius: 0 !important; }" +
    " .grid { display: none !important; }",
  noinputs: "input, select, textarea { display: none !important; }",
  nomedia: "",
  bare: "main .content { display: none !important; }",
  noipc: "",
  rminputs: "",
  "rm-all": "",
  "rm-header": "",
  "rm-toolbar": "",
  "rm-status": "",
  "rm-sentinel": "",
  // The screen no taller than the window: the scroller has nothing to scroll.
  short: "main .content { max-height: 500px !important; overflow: hidden !important; }",
  // The document scrolls instead of the .scroller element.
  docscroll: ".shell, main, .scroller { overflow: visible !important; height: auto !important; }",
};

// Page scripts run with a variant (and undone before the next one): `nomedia` leaves every
// `cached_media` call pending, so the gallery makes no thumbnail IPC and no asset-protocol loads.
const SCRIPTS = {
  nomedia: "nomedia",
  bare: "nomedia",
  noipc: "noipc",
  // Every <input> is taken out of the DOM as soon as it is added (before any frame).
  rminputs: "rminputs",
  // With the catalogue call pending (heading, toolbar, "Loading styles…", sentinel), one part of
  // the screen's DOM taken out as soon as it is added.
  "rm-all": "noipc rm:main .content > *",
  "rm-header": "noipc rm:main .content > header",
  "rm-toolbar": "noipc rm:main .content > .toolbar",
  "rm-status": "noipc rm:main .content [role=status]",
  "rm-sentinel": "noipc rm:main .content .sentinel",
};

const SCREENS = {
  styles: "li.style[data-style-id]",
  // The gallery screen itself (its parts may be taken out by a variant).
  stylesh1: 'main[data-screen="styles"]',
  settings: 'main[data-screen="settings"] section.card',
  sessions: '[data-testid="sessions"]',
  library: 'main[data-screen="library"] h1',
};

const { values: opts } = parseArgs({
  options: {
    "agent-bin": { type: "string" },
    styles: { type: "string", default: "1000" },
    runs: { type: "string", default: "3" },
    variants: { type: "string", default: Object.keys(VARIANTS).join(",") },
    screens: { type: "string", default: Object.keys(SCREENS).join(",") },
  },
});
if (!opts["agent-bin"]) {
  console.error("usage: stall-probe.mjs --agent-bin PATH [--styles N] [--runs N] [--variants a,b]");
  process.exit(2);
}

const median = (values) => {
  const s = [...values].sort((a, b) => a - b);
  const m = Math.floor(s.length / 2);
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
};

async function main() {
  const work = mkdtempSync(join(tmpdir(), "vas-stall-probe-"));
  const agent = await startAgent(opts["agent-bin"], join(work, "agent"), Number(opts.styles));
  let app;
  try {
    app = await launchApp({
      home: join(work, "home"),
      env: { HEYGEN_BASE_URL: agent.base, HEYGEN_API_KEY: "bench-ui-key" },
    });
    const { browser } = app;
    await browser.$('main[data-screen="create"]').waitForExist({ timeout: 30_000 });
    await new Promise((done) => setTimeout(done, 3_000));
    const longtask = await browser.execute(
      () => PerformanceObserver.supportedEntryTypes?.join(",") ?? "none",
    );
    console.log(`PerformanceObserver entry types: ${longtask}`);
    console.log(
      `compositing: WEBKIT_DISABLE_COMPOSITING_MODE=${process.env.WEBKIT_DISABLE_COMPOSITING_MODE ?? "(unset)"}`,
    );
    // Variants and screens interleave run by run, so a machine that gets busier or quieter
    // during the probe shifts all of them alike.
    const variants = opts.variants.split(",");
    const screens = opts.screens.split(",");
    const results = new Map();
    for (let i = 0; i < Number(opts.runs); i += 1) {
      for (const variant of variants) {
        await browser.execute(
          (css, script) => {
            // A constructed style sheet: the app's CSP (style-src 'self') refuses an inserted
            // <style>, so before 2026-12-05 (evening) every CSS variant here ran as `base`.
            const sheet = new CSSStyleSheet();
            sheet.replaceSync(css);
            document.adoptedStyleSheets = [sheet];
            window.__probeInputs?.disconnect();
            if (script === "rminputs") {
              window.__probeInputs = new MutationObserver(() =>
                document.querySelectorAll("main input").forEach((e) => e.remove()),
              );
              window.__probeInputs.observe(document.body, { childList: true, subtree: true });
            }
            const internals = window.__TAURI_INTERNALS__;
            internals.__probeInvoke ??= internals.invoke;
            internals.invoke =
              script === "nomedia"
                ? (cmd, ...rest) =>
                    cmd === "cached_media"
                      ? new Promise(() => {})
                      : internals.__probeInvoke(cmd, ...rest)
                : internals.__probeInvoke;
          },
          VARIANTS[variant],
          SCRIPTS[variant] ?? "",
        );
        for (const screen of screens) {
          const key = `${variant} ${screen}`;
          if (!results.has(key)) results.set(key, []);
          results.get(key).push(
            await measureOpen(browser, screen.replace(/h1$/, ""), SCREENS[screen], {
              probeMs: 600,
            }),
          );
        }
      }
    }
    for (const variant of variants) {
      for (const screen of screens) {
        const runs = results.get(`${variant} ${screen}`);
        const f = (key) => median(runs.map((r) => r[key])).toFixed(0);
        console.log(
          `${variant.padEnd(9)} ${screen.padEnd(8)} painted ${f("paintedMs")} ms ` +
            `[${runs.map((r) => r.paintedMs.toFixed(0)).join(" ")}] next frame ${f("nextFrameMs")} ms (dom ${f("domMs")}, ` +
            `frame ${f("frameMs")}); longest task gap ${f("gapMs")} ms at ${f("gapAt")} ms; ` +
            `frames at [${runs[runs.length - 1].frames.map((t) => t.toFixed(0)).join(" ")}]`,
        );
      }
    }
  } finally {
    await app?.stop().catch((e) => console.error(`stopping the app: ${e.message}`));
    await agent.stop();
    rmSync(work, { recursive: true, force: true, maxRetries: 10, retryDelay: 200 });
  }
}

main().catch((error) => {
  console.error(`stall-probe: ${error.stack ?? error}`);
  process.exit(1);
});
