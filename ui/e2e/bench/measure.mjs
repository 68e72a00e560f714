// Shared by ui-bench.mjs and stall-probe.mjs: the local agent, and the in-page measure of
// "sidebar click → first frame painted after the screen's first row entered the DOM".
import { startLocalAgent } from "../agent.mjs";

/** The key the benchmark app and the agent's admin routes (`--admin` needs one) use. */
export const BENCH_KEY = "bench-ui-key";

/** Starts `local-agent` listing `extraStyles` synthetic styles; resolves to { base, stop }. */
export async function startAgent(bin, dataDir, extraStyles) {
  const agent = await startLocalAgent(
    [
      "--data-dir",
      dataDir,
      "--extra-styles",
      String(extraStyles),
      "--admin",
      "--api-key",
      BENCH_KEY,
    ],
    { bin, env: { RUST_LOG: "warn" } },
  );
  return { base: agent.baseUrl, stop: agent.stop };
}

const pause = (ms) => new Promise((done) => setTimeout(done, ms));

/**
 * Clicks the sidebar button of `screen` (after going to Create and letting it settle) and
 * measures in the page: t0 = the click event (a capture listener on the document, before the
 * app's handler); dom = a MutationObserver sees `rowSelector`; frame = the requestAnimationFrame
 * callback after that; painted = a message-channel task queued from that callback, which runs
 * once the frame has been painted and the main thread is free again; nextFrame = the animation
 * frame after that one, which WebKit starts only when the previous frame is done, also when a
 * compositor thread renders it after the main thread is free.
 *
 * With `probeMs` > 0 it also records, for that long after the click, every animation frame and
 * a chain of message-channel tasks: the longest gap between two tasks is the longest time the
 * main thread was busy (rendering or script), with when it started; plus `longtask` entries if
 * this WebKit reports them. Returns times in ms from the click.
 */
export async function measureOpen(browser, screen, rowSelector, { probeMs = 0 } = {}) {
  await browser.$('nav button[data-screen="create"]').click();
  await browser.$('main[data-screen="create"]').waitForExist({ timeout: 15_000 });
  await pause(400); // let the previous screen's work settle
  await browser.execute(
    (name, selector, probe) => {
      const bench = {
        t0: null,
        dom: null,
        frame: null,
        painted: null,
        next: null,
        early: false,
        frames: [],
        gapMs: 0,
        gapAt: 0,
        longTasks: [],
        probeDone: probe <= 0,
      };
      window.__uiBench = bench;
      let longTaskObserver = null;
      if (probe > 0 && PerformanceObserver.supportedEntryTypes?.includes("longtask")) {
        longTaskObserver = new PerformanceObserver((list) => {
          for (const e of list.getEntries()) {
            bench.longTasks.push(`${(e.startTime - bench.t0).toFixed(0)}+${e.duration.toFixed(0)}`);
          }
        });
        longTaskObserver.observe({ type: "longtask" });
      }
      const startProbe = () => {
        let last = performance.now();
        const chain = new MessageChannel();
        chain.port1.onmessage = () => {
          const now = performance.now();
          if (now - last > bench.gapMs) {
            bench.gapMs = now - last;
            bench.gapAt = last - bench.t0;
          }
          last = now;
          if (now - bench.t0 < probe) chain.port2.postMessage(0);
          else {
            longTaskObserver?.disconnect();
            bench.probeDone = true;
          }
        };
        chain.port2.postMessage(0);
        const frame = () => {
          bench.frames.push(performance.now() - bench.t0);
          if (performance.now() - bench.t0 < probe) requestAnimationFrame(frame);
        };
        requestAnimationFrame(frame);
      };
      const onClick = (event) => {
        if (!event.target.closest(`nav button[data-screen="${name}"]`)) return;
        document.removeEventListener("click", onClick, true);
        bench.t0 = performance.now();
        bench.early = document.querySelector(selector) !== null;
        if (probe > 0) startProbe();
        const seen = () => {
          if (bench.dom !== null || !document.querySelector(selector)) return;
          bench.dom = performance.now();
          observer.disconnect();
          requestAnimationFrame(() => {
            bench.frame = performance.now();
            // The next animation frame starts once that frame is done: painted by the main thread
            // (non-composited mode) or rendered by the compositor (composited mode, where the
            // main thread is free before the pixels are).
            requestAnimationFrame(() => (bench.next = performance.now()));
            const channel = new MessageChannel();
            channel.port1.onmessage = () => (bench.painted = performance.now());
            channel.port2.postMessage(0);
          });
        };
        const observer = new MutationObserver(seen);
        observer.observe(document.body, { childList: true, subtree: true });
      };
      document.addEventListener("click", onClick, true);
    },
    screen,
    rowSelector,
    probeMs,
  );
  const sent = performance.now();
  await browser.$(`nav button[data-screen="${screen}"]`).click();
  await browser.waitUntil(
    async () =>
      browser.execute(
        () =>
          window.__uiBench.painted !== null &&
          window.__uiBench.next !== null &&
          window.__uiBench.probeDone,
      ),
    {
      timeout: 60_000,
      interval: 20,
      timeoutMsg: `no ${rowSelector} appeared after opening ${screen}`,
    },
  );
  const webdriverMs = performance.now() - sent;
  const bench = await browser.execute(() => window.__uiBench);
  if (bench.early) throw new Error(`${rowSelector} was already on screen before the click`);
  const rows = await browser.execute((s) => document.querySelectorAll(s).length, rowSelector);
  return {
    paintedMs: bench.painted - bench.t0,
    domMs: bench.dom - bench.t0,
    frameMs: bench.frame - bench.t0,
    nextFrameMs: bench.next - bench.t0,
    // On screen: the frame with the row is done and the page can run script again.
    shownMs: Math.max(bench.painted, bench.next) - bench.t0,
    webdriverMs,
    rows,
    frames: bench.frames,
    gapMs: bench.gapMs,
    gapAt: bench.gapAt,
    longTasks: bench.longTasks,
  };
}
