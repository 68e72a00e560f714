// axe-core in the app's web view over WebDriver: shared by the a11y e2e (every screen) and the
// e2e files that reach a state the a11y pass does not see (the Library with a batch group).
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { createRequire } from "node:module";

const AXE_SOURCE = readFileSync(
  createRequire(import.meta.url).resolve("axe-core/axe.min.js"),
  "utf8",
);

/** Runs axe on the page as it is now; returns the serious and critical violations, readable. */
export async function audit(browser) {
  const loaded = await browser.execute(() => typeof window.axe === "object");
  if (!loaded) await browser.execute(AXE_SOURCE);
  const result = await browser.executeAsync((done) => {
    window.axe
      .run(document, { resultTypes: ["violations"] })
      .then((r) =>
        done(
          r.violations
            .filter((v) => v.impact === "serious" || v.impact === "critical")
            .map((v) => ({
              id: v.id,
              impact: v.impact,
              help: v.help,
              nodes: v.nodes.slice(0, 5).map((n) => `${n.target.join(" ")}: ${n.failureSummary}`),
            })),
        ),
      )
      .catch((error) => done({ error: String(error) }));
  });
  assert.ok(Array.isArray(result), `axe failed to run: ${JSON.stringify(result)}`);
  return result;
}
