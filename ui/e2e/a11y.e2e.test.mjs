// Accessibility of the real app: axe-core injected into the app's web view over WebDriver audits
// every screen (and a dialog) in the light and the dark theme; serious or critical violations
// fail. Then a keyboard-only pass: Tab reaches the controls, each with a visible focus ring.
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { audit } from "./axe.mjs";
import { launchApp } from "./driver.mjs";
import { navigate, onScreen, shoot } from "./helpers.mjs";

const STEP = { timeout: 240_000 };
const SCREENS = ["create", "styles", "library", "sessions", "settings"];

async function setTheme(browser, theme) {
  try {
    await navigate(browser, "settings");
  } catch (error) {
    await shoot(browser, `a11y-settings-not-reached-${theme.toLowerCase()}`);
    const where = await browser.execute(() => {
      const button = document.querySelector('nav button[data-screen="settings"]');
      const box = button?.getBoundingClientRect();
      const hit = box && document.elementFromPoint(box.x + box.width / 2, box.y + box.height / 2);
      return {
        box: box && [box.x, box.y, box.width, box.height],
        inner: [innerWidth, innerHeight],
        hit: hit?.outerHTML?.slice(0, 200),
      };
    });
    throw new Error(`${error.message}; ${JSON.stringify(where)}`);
  }
  // Settings renders its form once the settings are read over IPC (slow on a loaded machine).
  const choice = browser.$(`label=${theme}`);
  await choice.waitForExist({
    timeout: 15_000,
    timeoutMsg: `no ${theme} theme choice in Settings`,
  });
  await choice.click();
  await browser.waitUntil(
    async () =>
      (await browser.execute(() => document.documentElement.dataset.theme)) === theme.toLowerCase(),
    { timeout: 5_000, timeoutMsg: `the ${theme} theme did not apply` },
  );
}

describe("accessibility: axe-core on every screen, light and dark", () => {
  let app;
  before(async () => {
    app = await launchApp();
  });
  after(async () => app?.stop());

  it("has no serious or critical violations anywhere", STEP, async () => {
    const { browser } = app;
    const found = [];
    await onScreen(browser, "welcome");
    found.push(...(await audit(browser)).map((v) => ({ where: "welcome (system theme)", ...v })));
    await browser.$("#try-offline").click();
    await onScreen(browser, "create", 30_000);
    for (const theme of ["Light", "Dark"]) {
      await setTheme(browser, theme);
      for (const screen of SCREENS) {
        await navigate(browser, screen);
        // Let lists that load (styles, sessions) render before auditing.
        await browser.pause(screen === "styles" ? 2_000 : 500);
        found.push(...(await audit(browser)).map((v) => ({ where: `${screen} (${theme})`, ...v })));
      }
      await navigate(browser, "create");
      await browser.$("#prompt").setValue("An accessible video.");
      await shoot(browser, `a11y-create-${theme.toLowerCase()}`);
    }
    assert.deepEqual(
      found,
      [],
      `axe found serious/critical violations:\n${JSON.stringify(found, null, 2)}`,
    );
  });

  it("reaches the controls with Tab alone, each with a visible focus ring", STEP, async () => {
    const { browser } = app;
    await navigate(browser, "create");
    await browser.execute(() => document.activeElement?.blur());
    const seen = [];
    for (let i = 0; i < 25; i += 1) {
      await browser.keys("Tab");
      const focused = await browser.execute(() => {
        const el = document.activeElement;
        if (!el || el === document.body) return null;
        const style = getComputedStyle(el);
        const ring =
          (style.outlineStyle !== "none" && parseFloat(style.outlineWidth) > 0) ||
          style.boxShadow !== "none";
        const name =
          el.getAttribute("aria-label") ||
          el.labels?.[0]?.textContent ||
          el.textContent ||
          el.getAttribute("placeholder") ||
          "";
        return { tag: el.tagName, name: name.trim().slice(0, 40), ring };
      });
      if (focused) seen.push(focused);
    }
    assert.ok(seen.length >= 10, `Tab reached only ${seen.length} controls`);
    const unringed = seen.filter((f) => !f.ring);
    assert.deepEqual(unringed, [], "focused without a visible ring");
    const unnamed = seen.filter((f) => !f.name);
    assert.deepEqual(unnamed, [], "focusable controls without a name");
    // The sidebar's screens are reachable and open with Enter.
    assert.ok(
      seen.some((f) => /Library/.test(f.name)),
      `the sidebar was not reached: ${JSON.stringify(seen)}`,
    );
  });
});
