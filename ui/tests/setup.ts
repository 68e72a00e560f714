import "@testing-library/jest-dom/vitest";
import { cleanup } from "@testing-library/svelte";
import { afterEach, beforeAll } from "vitest";
import { screens } from "../src/lib/screens/lazy.svelte";

// The app loads screens other than Create in the background after its first frame; tests that
// click through the sidebar expect each screen at once, as users get it once that load is done.
// (tests/lazy-screens.test.ts covers a click that comes before it.)
beforeAll(() => screens.loadAll());

afterEach(() => {
  cleanup();
  localStorage.clear();
  delete document.documentElement.dataset.theme;
});
