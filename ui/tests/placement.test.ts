import { afterEach, describe, expect, it, vi } from "vitest";
import { visibleRect } from "../src/lib/media/placement";

/** An element with inline `style`, laid out at `rect` (x, y, width, height), inside `parent`. */
function box(parent: Element, style: string, rect: [number, number, number, number]) {
  const element = document.createElement("div");
  element.setAttribute("style", style);
  vi.spyOn(element, "getBoundingClientRect").mockReturnValue(new DOMRect(...rect));
  parent.append(element);
  return element;
}

describe("where the picture is visible", () => {
  afterEach(() => {
    vi.restoreAllMocks();
    document.body.replaceChildren();
  });

  it("is cut by a scrolling list and the window", () => {
    Object.assign(window, { innerWidth: 1200, innerHeight: 800 });
    const list = box(document.body, "overflow: auto", [224, 100, 976, 500]);
    const picture = box(list, "", [300, 450, 640, 360]);
    expect(visibleRect(picture)).toEqual({ x: 300, y: 450, width: 640, height: 150 });
    const away = box(list, "", [300, 700, 640, 360]);
    expect(visibleRect(away)).toBeNull();
  });

  it("is not cut by what a fixed dialog lies over", () => {
    Object.assign(window, { innerWidth: 1200, innerHeight: 800 });
    // The app's screen area scrolls (clips) right of the sidebar; the dialog is fixed over all.
    const main = box(document.body, "overflow: auto", [224, 0, 976, 800]);
    const dialog = box(main, "position: fixed", [200, 32, 880, 736]);
    const player = box(dialog, "overflow: hidden", [185, 105, 830, 507]);
    const picture = box(player, "", [185, 105, 830, 467]);
    // Inside the player (which clips) whole, and not cut by the screen area under the dialog.
    expect(visibleRect(picture)).toEqual({ x: 185, y: 105, width: 830, height: 467 });
  });

  it("is cut by an absolutely placed box's positioned ancestor only", () => {
    Object.assign(window, { innerWidth: 1200, innerHeight: 800 });
    const positioned = box(document.body, "position: relative", [0, 0, 1200, 800]);
    const clipping = box(positioned, "overflow: hidden", [0, 0, 100, 100]);
    const picture = box(clipping, "position: absolute", [50, 50, 400, 200]);
    expect(visibleRect(picture)).toEqual({ x: 50, y: 50, width: 400, height: 200 });
  });
});
