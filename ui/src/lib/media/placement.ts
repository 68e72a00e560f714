// Where the page shows a player's picture, for the app to paint its frames there: the box laid
// out for it, the part of that box on screen, and the caption to draw. Measured from the DOM
// after a resize or scroll and a few times a second; the app is told only when it changes.
import type { PlayerPlacement } from "../backend/backend";

/** How often the placement is measured when nothing said it changed (ms). */
export const PLACE_EVERY_MS = 200;

export interface Rect {
  x: number;
  y: number;
  width: number;
  height: number;
}

function intersect(a: Rect, b: Rect): Rect | null {
  const x = Math.max(a.x, b.x);
  const y = Math.max(a.y, b.y);
  const right = Math.min(a.x + a.width, b.x + b.width);
  const bottom = Math.min(a.y + a.height, b.y + b.height);
  return right > x && bottom > y ? { x, y, width: right - x, height: bottom - y } : null;
}

function rectOf(element: Element): Rect {
  const r = element.getBoundingClientRect();
  return { x: r.left, y: r.top, width: r.width, height: r.height };
}

/** Whether an element cuts off what overflows it (a scrolling list, a clipped card). */
function clips(style: CSSStyleDeclaration): boolean {
  const clipping = ["auto", "scroll", "hidden", "clip"];
  return [style.overflow, style.overflowX, style.overflowY].some((o) => clipping.includes(o));
}

/** The part of `element`'s box inside the viewport and every ancestor that clips it; null when
 * none. An ancestor clips only what it contains: nothing inside a fixed box (a dialog over the
 * page), and an absolutely placed box only from its positioned ancestor up. */
export function visibleRect(element: Element): Rect | null {
  let visible: Rect | null = intersect(rectOf(element), {
    x: 0,
    y: 0,
    width: window.innerWidth,
    height: window.innerHeight,
  });
  let position = getComputedStyle(element).position;
  for (let up = element.parentElement; up && visible; up = up.parentElement) {
    if (position === "fixed") break;
    const style = getComputedStyle(up);
    const positioned = style.position !== "" && style.position !== "static";
    if (position === "absolute" && !positioned) continue;
    if (up !== document.documentElement && up !== document.body && clips(style)) {
      visible = intersect(visible, rectOf(up));
    }
    position = style.position;
  }
  return visible;
}

/** Whether something else lies over the element where it is visible (a dialog, a menu, a
 * toast): its centre and corners are sampled. The app paints over the page, so a covered
 * picture must not be painted. */
export function isCovered(element: Element, visible: Rect): boolean {
  if (typeof document.elementFromPoint !== "function") return false;
  const inset = 2;
  const left = visible.x + inset;
  const top = visible.y + inset;
  const right = visible.x + visible.width - inset;
  const bottom = visible.y + visible.height - inset;
  const points: [number, number][] = [
    [(left + right) / 2, (top + bottom) / 2],
    [left, top],
    [right, top],
    [left, bottom],
    [right, bottom],
  ];
  return points.some(([x, y]) => {
    const hit = document.elementFromPoint(x, y);
    return hit !== null && !element.contains(hit);
  });
}

/** Where to paint the picture of `element` with `caption` over it; null when nothing of it
 * should show (off screen, covered). */
export function placementOf(element: Element, caption: string | null): PlayerPlacement | null {
  const visible = visibleRect(element);
  if (!visible || isCovered(element, visible)) return null;
  return {
    picture: rectOf(element),
    visible,
    pageWidth: document.documentElement.clientWidth || window.innerWidth,
    caption,
  };
}

export function samePlacement(a: PlayerPlacement | null, b: PlayerPlacement | null): boolean {
  return JSON.stringify(a) === JSON.stringify(b);
}
