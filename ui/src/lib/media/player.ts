// Small pure helpers of the app's player (time labels, keyboard seeking).

/** Seconds one arrow key press moves. */
export const SEEK_STEP = 5;

/** `75.4` → `1:15`; an hour or more → `1:02:03`. */
export function clock(seconds: number): string {
  const total = Math.max(0, Math.floor(Number.isFinite(seconds) ? seconds : 0));
  const h = Math.floor(total / 3600);
  const m = Math.floor((total % 3600) / 60);
  const s = String(total % 60).padStart(2, "0");
  return h > 0 ? `${h}:${String(m).padStart(2, "0")}:${s}` : `${m}:${s}`;
}

/** Where a key moves playback (null when the key does not seek): arrows step, Home and End
 * go to the ends, digits 0–9 to tenths of the video. */
export function seekTarget(key: string, at: number, duration: number): number | null {
  const clamp = (t: number) => Math.max(0, Math.min(duration, t));
  if (key === "ArrowLeft" || key === "j") return clamp(at - SEEK_STEP);
  if (key === "ArrowRight" || key === "l") return clamp(at + SEEK_STEP);
  if (key === "Home") return 0;
  if (key === "End") return duration;
  if (/^[0-9]$/.test(key)) return clamp((Number(key) / 10) * duration);
  return null;
}
