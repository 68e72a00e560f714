// What does WebKit do between a sidebar click and the screen's first frame? (issue 17, the
// gallery's 150 ms.) A diagnostic companion to ui-bench.mjs, not part of `.ci/bench`. It starts
// a debug build of the app (developer extras on) with WebKit's remote inspector served over HTTP
// (`WEBKIT_INSPECTOR_HTTP_SERVER`; WebDriver cannot share it, so the page is driven over the
// inspector too), records WebKit's own timeline (style, layout, paint, rendering frames, script,
// garbage collections) while each screen is opened from Create, and prints per open every record
// longer than --min-ms from the click, then the paint time per variant. Variants are CSS given
// to the running page as a constructed style sheet (the app's CSP refuses an inserted <style>).
// PROBE_IDLE_REPAINT=1 also repaints the whole window once the screen has settled (nothing else
// going on) and prints that paint's time; PROBE_RM="sel|sel" removes elements before it.
//
// Found with it (2026-12-05): the cards' "0 1px 3px" shadow layer made each repaint of the
// gallery 55-65 ms (see app.css).
//
//   APP_BINARY=…/debug/video-agent-studio dbus-run-session -- xvfb-run -a \
//     -s "-screen 0 1280x800x24" node --experimental-websocket ui/e2e/bench/timeline-probe.mjs \
//     --agent-bin …/local-agent [--styles 1000] [--runs 3] [--screens styles,sessions] \
//     [--variants base,noshadow] [--quiet]
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { parseArgs } from "node:util";
import { spawn } from "node:child_process";
import { appBinary, freePort, isolatedHome } from "../driver.mjs";
import { startAgent, BENCH_KEY } from "./measure.mjs";

const ROWS = {
  styles: "li.style[data-style-id]",
  library: ".row[data-job-id]",
  sessions: '[data-testid="sessions"]',
  settings: "main[data-screen=settings] h1",
};

const { values: opts } = parseArgs({
  options: {
    "agent-bin": { type: "string" },
    styles: { type: "string", default: "1000" },
    runs: { type: "string", default: "3" },
    screens: { type: "string", default: "styles,sessions" },
    "min-ms": { type: "string", default: "2" },
    variants: { type: "string", default: "base" },
    quiet: { type: "boolean", default: false },
  },
});
const MIN_MS = Number(opts["min-ms"]);
// CSS injected into the running page for a variant (removed before the next one).
const VARIANTS = {
  base: "",
  noshadow: "*, *::before, *::after { box-shadow: none !important; }",
  noradius: "*, *::before, *::after { border-radius: 0 !important; }",
  noimg: ".media img, .media .placeholder { visibility: hidden !important; }",
  notext: ".style .body, .style .aspect { visibility: hidden !important; }",
  nobody: ".style .body { display: none !important; }",
  nobutton: ".style button { visibility: hidden !important; }",
  noaspect: ".style .aspect { display: none !important; }",
  nosvg: "svg { display: none !important; }",
  nomedia: ".style .media { display: none !important; }",
  cardsonly: ".style > * { visibility: hidden !important; }",
  nocards: ".grid { visibility: hidden !important; }",
  shadow1: ":root { --shadow-m: 0 1px 3px rgb(20 20 30 / 6%) !important; }",
  shadow2: ":root { --shadow-m: 0 4px 12px rgb(20 20 30 / 5%) !important; }",
  blur2: ":root { --shadow-m: 0 1px 2px rgb(20 20 30 / 6%) !important; }",
  blur4: ":root { --shadow-m: 0 1px 4px rgb(20 20 30 / 6%) !important; }",
  blur5: ":root { --shadow-m: 0 1px 5px rgb(20 20 30 / 6%) !important; }",
  blur6: ":root { --shadow-m: 0 1px 6px rgb(20 20 30 / 6%) !important; }",
  blur8: ":root { --shadow-m: 0 1px 8px rgb(20 20 30 / 6%) !important; }",
  shadowB:
    ":root { --shadow-m: 0 1px 0 rgb(20 20 30 / 5%), 0 4px 12px rgb(20 20 30 / 5%) !important; }",
  final:
    ":root { --shadow-m: 0 1px 4px rgb(20 20 30 / 6%), 0 4px 12px rgb(20 20 30 / 5%) !important; --shadow-s: 0 1px 4px rgb(20 20 30 / 10%) !important; }",
  shadow0: ":root { --shadow-m: 0 1px 0 rgb(20 20 30 / 8%) !important; }",
  shadowsp:
    ":root { --shadow-m: 0 1px 0 1px rgb(20 20 30 / 4%), 0 2px 0 rgb(20 20 30 / 4%) !important; }",
  shadow1r0:
    ":root { --shadow-m: 0 1px 3px rgb(20 20 30 / 6%) !important; } .card { border-radius: 0 !important; }",
  nocontent: "main .content { display: none !important; }",
  notoolbar: ".toolbar { display: none !important; }",
  noheader: "main .content > header { display: none !important; }",
  nosidebar: "nav { visibility: hidden !important; }",
  noinputs: "input, select, textarea { display: none !important; }",
  nosearch: "input[type=search] { display: none !important; }",
  notags: ".tags { display: none !important; }",
};
const pause = (ms) => new Promise((done) => setTimeout(done, ms));

/** One inspector connection to the app's page: send(method, params) → result; on(event, fn). */
async function inspect(port) {
  const listing = await (await fetch(`http://127.0.0.1:${port}/`)).text();
  const path = /ws=' \+ window\.location\.host \+ '([^']+)'/.exec(listing)?.[1];
  if (!path) throw new Error(`no inspectable page:\n${listing}`);
  const socket = new WebSocket(`ws://127.0.0.1:${port}${path}`);
  await new Promise((ok, fail) => {
    socket.onopen = ok;
    socket.onerror = fail;
  });
  let pageTarget = null;
  let nextId = 1;
  const waiting = new Map();
  const handlers = new Map();
  const targetReady = new Promise((ready) => {
    socket.onmessage = ({ data }) => {
      const outer = JSON.parse(data);
      if (outer.method === "Target.targetCreated" && outer.params.targetInfo.type === "page") {
        pageTarget = outer.params.targetInfo.targetId;
        ready();
        return;
      }
      if (outer.method !== "Target.dispatchMessageFromTarget") return;
      const message = JSON.parse(outer.params.message);
      if (message.id && waiting.has(message.id)) {
        const { ok, fail } = waiting.get(message.id);
        waiting.delete(message.id);
        if (message.error) fail(new Error(JSON.stringify(message.error)));
        else ok(message.result);
      } else if (message.method) {
        handlers.get(message.method)?.(message.params);
      }
    };
  });
  await targetReady;
  const send = (method, params = {}) =>
    new Promise((ok, fail) => {
      const id = nextId++;
      waiting.set(id, { ok, fail });
      socket.send(
        JSON.stringify({
          id: 10_000 + id,
          method: "Target.sendMessageToTarget",
          params: { targetId: pageTarget, message: JSON.stringify({ id, method, params }) },
        }),
      );
    });
  return { send, on: (event, fn) => handlers.set(event, fn), close: () => socket.close() };
}

/** Flattens a timeline record tree into { type, start, end, depth, data } rows. */
function flatten(record, depth, out) {
  out.push({
    type: record.type,
    start: record.startTime,
    end: record.endTime ?? record.startTime,
    depth,
    data: record.data,
  });
  for (const child of record.children ?? []) flatten(child, depth + 1, out);
  return out;
}

function describe(row) {
  const d = row.data ?? {};
  const bits = [];
  if (d.type) bits.push(d.type);
  if (d.url) bits.push(String(d.url).slice(-40));
  if (d.functionName) bits.push(d.functionName);
  if (d.message) bits.push(d.message);
  if (d.x !== undefined && d.width !== undefined) bits.push(`${d.width}x${d.height}`);
  if (d.clip) bits.push(`clip ${d.clip.join(",")}`);
  return bits.join(" ");
}

/** In the page: Create, a pause, then `screen`'s button; resolves to the bench's times. */
const OPEN_IN_PAGE = (screen, selector) => `(async () => {
  const pause = (ms) => new Promise((done) => setTimeout(done, ms));
  document.querySelector('nav button[data-screen="create"]').click();
  await pause(400);
  const button = document.querySelector('nav button[data-screen="${screen}"]');
  button.dispatchEvent(new PointerEvent("pointerenter"));
  await pause(150);
  const r = {};
  await new Promise((done) => {
    const observer = new MutationObserver(() => {
      if (r.dom !== undefined || !document.querySelector(${JSON.stringify(selector)})) return;
      r.dom = performance.now() - r.t0;
      observer.disconnect();
      requestAnimationFrame(() => {
        r.frame = performance.now() - r.t0;
        requestAnimationFrame(() => { r.next = performance.now() - r.t0; done(); });
      });
    });
    observer.observe(document.body, { childList: true, subtree: true });
    console.timeStamp("click");
    r.t0 = performance.now();
    button.click();
  });
  return r;
})()`;

async function main() {
  const work = mkdtempSync(join(tmpdir(), "vas-timeline-"));
  const port = await freePort();
  let agent;
  let app;
  let inspector;
  try {
    agent = await startAgent(opts["agent-bin"], join(work, "agent"), Number(opts.styles));
    const home = join(work, "home");
    app = spawn(appBinary(), [], {
      env: {
        ...process.env,
        ...isolatedHome(home),
        HEYGEN_BASE_URL: agent.base,
        HEYGEN_API_KEY: BENCH_KEY,
        WEBKIT_INSPECTOR_HTTP_SERVER: `127.0.0.1:${port}`,
      },
      stdio: ["ignore", "ignore", "inherit"],
    });
    for (let i = 0; ; i += 1) {
      await pause(500);
      try {
        inspector = await inspect(port);
        break;
      } catch (e) {
        if (i > 60) throw e;
      }
    }
    const evaluate = async (expression) => {
      const answer = await inspector.send("Runtime.evaluate", { expression, returnByValue: true });
      if (answer.wasThrown) throw new Error(JSON.stringify(answer.result));
      return answer.result.value;
    };
    // WebKit's evaluate does not wait for a promise; awaitPromise does.
    const evaluateAsync = async (expression) => {
      const promise = await inspector.send("Runtime.evaluate", { expression });
      const answer = await inspector.send("Runtime.awaitPromise", {
        promiseObjectId: promise.result.objectId,
        returnByValue: true,
      });
      if (answer.wasThrown) throw new Error(JSON.stringify(answer.result));
      return answer.result.value;
    };
    while (!(await evaluate(`!!document.querySelector('main[data-screen="create"]')`))) {
      await pause(200);
    }
    await pause(3_000);
    const records = [];
    const gcs = [];
    inspector.on("Timeline.eventRecorded", ({ record }) => records.push(record));
    inspector.on("Heap.garbageCollected", ({ collection }) => gcs.push(collection));
    for (const method of [
      "Inspector.enable",
      "Inspector.initialized",
      "Runtime.enable",
      "Page.enable",
      "Timeline.enable",
    ]) {
      await inspector.send(method).catch((e) => console.error(`${method}: ${e.message}`));
    }
    await inspector.send("Heap.enable").catch(() => undefined);
    await inspector.send("Timeline.setInstruments", { instruments: ["Timeline"] }).catch((e) => {
      console.error(`setInstruments: ${e.message}`);
    });
    await inspector
      .send("Timeline.start", { maxCallStackDepth: 0 })
      .catch((e) => console.error(`start: ${e.message}`));
    const screens = opts.screens.split(",");
    const paints = new Map();
    for (const variant of opts.variants.split(",")) {
      // A constructed style sheet: the app's CSP (style-src 'self') refuses an inserted <style>.
      await evaluate(`(() => {
        const sheet = new CSSStyleSheet();
        sheet.replaceSync(${JSON.stringify(VARIANTS[variant])});
        document.adoptedStyleSheets = [sheet];
      })()`);
      for (let run = 0; run < Number(opts.runs); run += 1) {
        for (const screen of screens) {
          const m = await evaluateAsync(OPEN_IN_PAGE(screen, ROWS[screen]));
          await pause(600);
          if (process.env.PROBE_IDLE_REPAINT) {
            // The whole window repainted again with nothing else going on.
            const removed = await evaluate(`(() => {
              let n = 0;
              for (const sel of ${JSON.stringify((process.env.PROBE_RM ?? "").split("|").filter(Boolean))}) {
                for (const e of document.querySelectorAll(sel)) { e.remove(); n += 1; }
              }
              return n;
            })()`);
            if (removed) console.log(`removed ${removed} elements`);
            await pause(200);
            await evaluate(`(() => {
              console.timeStamp("repaint");
              document.documentElement.style.setProperty("--surface-page", "#f6f6f7");
              requestAnimationFrame(() => requestAnimationFrame(() =>
                document.documentElement.style.removeProperty("--surface-page")));
            })()`);
            await pause(400);
            const rows = records.flatMap((r) => flatten(r, 0, []));
            const t = rows
              .filter((r) => r.type === "TimeStamp" && r.data?.message === "repaint")
              .at(-1)?.start;
            const later = rows.filter((r) => r.type === "Paint" && r.start >= t);
            console.log(
              `idle repaint ${variant} ${screen}: ${later.map((r) => ((r.end - r.start) * 1000).toFixed(1)).join(" ")} ms`,
            );
          }
          const from = records.length;
          const fromGc = gcs.length;
          const painted = report(`${variant} ${screen}`, run, m, records, gcs);
          const key = `${variant.padEnd(10)} ${screen.padEnd(9)}`;
          paints.set(key, [...(paints.get(key) ?? []), painted]);
          records.splice(0, from);
          gcs.splice(0, fromGc);
        }
      }
    }
    console.log("\npaint time in the first 300 ms after the click (ms, per run; longest paint):");
    for (const [key, runs] of paints) {
      console.log(
        `${key} ${runs.map((r) => `${r.total.toFixed(0)}/${r.longest.toFixed(0)}`).join("  ")}`,
      );
    }
    await inspector.send("Timeline.stop").catch(() => undefined);
  } finally {
    inspector?.close();
    app?.kill("SIGTERM");
    await agent?.stop();
    await pause(1_000);
    rmSync(work, { recursive: true, force: true, maxRetries: 10, retryDelay: 200 });
  }
}

function report(screen, run, m, records, gcs) {
  const rows = records.flatMap((r) => flatten(r, 0, []));
  if (process.env.PROBE_RAW) console.log(JSON.stringify(records.slice(0, 3)).slice(0, 3000));
  const clicks = rows.filter((r) => r.type === "TimeStamp" && r.data?.message === "click");
  const t0 = clicks.at(-1)?.start;
  console.log(
    `\n== ${screen} run ${run + 1}: dom ${m.dom.toFixed(0)} ms, frame ${m.frame.toFixed(0)}, next frame ${m.next.toFixed(0)}`,
  );
  if (t0 === undefined) {
    console.log(`  (no click timestamp on the timeline; ${rows.length} records)`);
    return { total: NaN, longest: NaN };
  }
  const painted = { total: 0, longest: 0 };
  for (const r of rows) {
    const at = (r.start - t0) * 1000;
    if (r.type !== "Paint" || at < 0 || at > 300) continue;
    const ms = (r.end - r.start) * 1000;
    painted.total += ms;
    painted.longest = Math.max(painted.longest, ms);
  }
  for (const r of opts.quiet ? [] : rows) {
    const ms = (r.end - r.start) * 1000;
    const at = (r.start - t0) * 1000;
    if (at < -50 || at > 600) continue;
    if (ms < MIN_MS && r.type !== "RenderingFrame" && r.type !== "TimeStamp") continue;
    console.log(
      `  ${"  ".repeat(r.depth)}${at.toFixed(1).padStart(7)} +${ms.toFixed(1).padStart(6)} ${r.type} ${describe(r)}`,
    );
  }
  for (const gc of gcs) {
    const at = (gc.startTime - t0) * 1000;
    if (at < -50 || at > 600) continue;
    console.log(
      `  GC ${gc.type} at ${at.toFixed(1)} +${((gc.endTime - gc.startTime) * 1000).toFixed(1)} ms`,
    );
  }
  return painted;
}

await main();
