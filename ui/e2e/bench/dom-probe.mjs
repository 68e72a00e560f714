// Diagnostic companion to ui-bench.mjs (not part of `.ci/bench`): does a screen's static DOM,
// cloned as HTML and inserted outside Svelte, hold WebKit's next frame? Prints, per variant, the
// longest gap between animation frames (and where it started) and the forced layout's time.
// This is how the gallery's frame hold was found to be tile painting, not script or layout: the
// 20 cards alone held the frame ~120 ms with 4 ms of layout (see README, "Gallery first screen").
//
//   APP_BINARY=…/release/video-agent-studio dbus-run-session -- xvfb-run -a \
//     -s "-screen 0 1280x800x24" node ui/e2e/bench/dom-probe.mjs …/local-agent [styles]
//   VARIANTS='full|rm:.grid|keep:.grid|css:.grid{display:block}' … (default: a first bisection)
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { launchApp } from "../driver.mjs";
import { startAgent } from "./measure.mjs";

const [agentBin, screen = "styles"] = process.argv.slice(2);
const work = mkdtempSync(join(tmpdir(), "vas-dom-probe-"));
const agent = await startAgent(agentBin, join(work, "agent"), 1000);
const app = await launchApp({
  home: join(work, "home"),
  env: { HEYGEN_BASE_URL: agent.base, HEYGEN_API_KEY: "bench-ui-key" },
});
const { browser } = app;
const VARIANTS = (
  process.env.VARIANTS ??
  "nothing|full|noimg|novideo|nomedia|empty-main|text-only|click-styles|click-sessions"
).split("|");
try {
  await browser.$('main[data-screen="create"]').waitForExist({ timeout: 30_000 });
  await new Promise((d) => setTimeout(d, 2000));
  await browser.$(`nav button[data-screen="${screen}"]`).click();
  await new Promise((d) => setTimeout(d, 3000));
  await browser.execute(() => (window.__cloned = document.querySelector("main").outerHTML));
  console.log("cloned", await browser.execute(() => window.__cloned.length), "chars");
  await browser.$('nav button[data-screen="create"]').click();
  await new Promise((d) => setTimeout(d, 1500));
  const res = {};
  for (let run = 0; run < 4; run++) {
    for (const v of VARIANTS) {
      if (v.startsWith("click-")) {
        await browser.$('nav button[data-screen="create"]').click();
        await new Promise((d) => setTimeout(d, 500));
      }
      const started = browser.executeAsync((v, done) => {
        const frames = [];
        const t0 = performance.now();
        const tick = () => {
          frames.push(performance.now() - t0);
          if (performance.now() - t0 < 900) requestAnimationFrame(tick);
          else {
            let gap = 0,
              at = 0;
            for (let i = 1; i < frames.length; i++)
              if (frames[i] - frames[i - 1] > gap) {
                gap = frames[i] - frames[i - 1];
                at = frames[i - 1];
              }
            document.getElementById("probe-box")?.remove();
            done({ gap, at, layout: window.__layoutMs ?? 0 });
            window.__layoutMs = 0;
          }
        };
        requestAnimationFrame(tick);
        if (v.startsWith("click-")) return;
        setTimeout(() => {
          if (v === "nothing") return;
          const box = document.createElement("div");
          box.id = "probe-box";
          box.style.cssText =
            "position:fixed;inset:0 0 0 220px;background:var(--bg,#fff);z-index:50;overflow:auto";
          box.innerHTML = window.__cloned;
          const m = box.querySelector("main");
          if (v === "noimg") box.querySelectorAll("img").forEach((e) => e.remove());
          if (v === "novideo") box.querySelectorAll("video").forEach((e) => e.remove());
          if (v === "nomedia") box.querySelectorAll("img,video,svg").forEach((e) => e.remove());
          if (v === "empty-main") m.innerHTML = "";
          if (v === "text-only") m.innerHTML = `<p>${m.textContent}</p>`;
          if (v === "noinput")
            box.querySelectorAll("input,select,textarea,button").forEach((e) => e.remove());
          if (v === "nosvg") box.querySelectorAll("svg").forEach((e) => e.remove());
          if (v.startsWith("rm:")) box.querySelectorAll(v.slice(3)).forEach((e) => e.remove());
          if (v.startsWith("keep:")) {
            const kept = [...m.querySelectorAll(v.slice(5))];
            m.innerHTML = "";
            m.append(...kept);
          }
          document.adoptedStyleSheets = [];
          if (v.startsWith("css:")) {
            // Constructed: the app's CSP (style-src 'self') refuses an inserted <style>.
            const sheet = new CSSStyleSheet();
            sheet.replaceSync(v.slice(4));
            document.adoptedStyleSheets = [sheet];
          }
          const before = performance.now();
          document.body.append(box);
          void box.offsetHeight;
          window.__layoutMs = performance.now() - before;
        }, 50);
      }, v);
      if (v.startsWith("click-")) {
        await new Promise((d) => setTimeout(d, 50));
        await browser.$(`nav button[data-screen="${v.slice(6)}"]`).click();
      }
      const r = await started;
      (res[v] ??= []).push(`${r.gap.toFixed(0)}@${r.at.toFixed(0)}/L${r.layout.toFixed(0)}`);
      await new Promise((d) => setTimeout(d, 300));
    }
  }
  for (const [k, v] of Object.entries(res)) console.log(k.padEnd(14), v.join("  "));
} finally {
  await app.stop().catch(() => {});
  await agent.stop();
  rmSync(work, { recursive: true, force: true });
}
