// The gallery loads cursor pages only as far as the window needs: one visit must not walk the
// whole catalogue (a 1,000-style gallery once fetched all 50 pages and every thumbnail).
import { render, screen, waitFor } from "@testing-library/svelte";
import { afterEach, describe, expect, it, vi } from "vitest";
import App from "../src/App.svelte";
import { createMockBackend, MOCK_STYLES } from "../src/lib/backend/mock";
import type { CatalogueItem } from "../src/lib/backend";

const MANY: CatalogueItem[] = Array.from({ length: 240 }, (_, i) =>
  Object.assign({}, MOCK_STYLES[i % MOCK_STYLES.length], {
    id: `style_many_${i}`,
    name: `Many ${i}`,
  }),
);

function countingBackend() {
  const backend = createMockBackend({ styles: MANY });
  const pages: (string | null)[] = [];
  const catalogue = backend.catalogue.bind(backend);
  backend.catalogue = (kind, token, tag) => {
    if (kind === "styles") pages.push(token);
    return catalogue(kind, token, tag);
  };
  return { backend, pages };
}

/** Puts every element's box at `top` px (happy-dom has no layout). */
function layoutAt(top: number) {
  vi.spyOn(HTMLElement.prototype, "getBoundingClientRect").mockReturnValue(
    DOMRect.fromRect({ x: 0, y: top, width: 100, height: 1 }),
  );
}

afterEach(() => vi.restoreAllMocks());

describe("Styles paging", () => {
  it("loads one page when it fills the window", async () => {
    layoutAt(5_000);
    const { backend, pages } = countingBackend();
    render(App, { backend, initialScreen: "styles" });
    await screen.findByText("Many 0");
    await new Promise((done) => setTimeout(done, 200));
    expect(pages).toEqual([null]);
    expect(document.querySelectorAll("li.style").length).toBe(24);
  });

  it("keeps loading while the end of the grid is still in view, then stops at the end", async () => {
    layoutAt(10);
    const { backend, pages } = countingBackend();
    render(App, { backend, initialScreen: "styles" });
    await waitFor(() => expect(document.querySelectorAll("li.style").length).toBe(240));
    await new Promise((done) => setTimeout(done, 200));
    expect(pages.length).toBe(10);
    expect(new Set(pages).size).toBe(10);
  });
});
