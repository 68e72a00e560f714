// Subtitles as the player needs them: HeyGen (and the local agent) deliver SRT, which the
// player draws over the picture itself, cue by cue, at the player's position. SRT's optional
// X1/Y1 coordinates are dropped.

const SRT_TIME = /(\d{1,2}):(\d{2}):(\d{2})[,.](\d{1,3})/;
const SRT_TIMING = new RegExp(`^\\s*${SRT_TIME.source}\\s*-->\\s*${SRT_TIME.source}`);

/** One caption: shown from `start` to `end` (seconds). */
export type Cue = { start: number; end: number; text: string };

/** `00:00:01,5` → 1.5 seconds. */
function seconds(h: string, m: string, s: string, ms: string): number {
  return Number(h) * 3600 + Number(m) * 60 + Number(s) + Number(ms.padEnd(3, "0")) / 1000;
}

/** Parses SRT text into cues in time order. Cues without a valid timing line are skipped, not
 * guessed. */
export function parseSrt(srt: string): Cue[] {
  const text = srt.replace(/^\uFEFF/, "").replace(/\r\n?/g, "\n");
  const cues: Cue[] = [];
  for (const block of text.split(/\n{2,}/)) {
    const lines = block.split("\n");
    const timingAt = lines.findIndex((line) => SRT_TIMING.test(line));
    // The timing is the first or second line (after the cue number); anything else is noise.
    if (timingAt < 0 || timingAt > 1) continue;
    const [, h1 = "", m1 = "", s1 = "", ms1 = "", h2 = "", m2 = "", s2 = "", ms2 = ""] =
      SRT_TIMING.exec(lines[timingAt] ?? "") ?? [];
    const body = lines.slice(timingAt + 1).filter((line) => line.trim() !== "");
    if (body.length === 0) continue;
    cues.push({
      start: seconds(h1, m1, s1, ms1),
      end: seconds(h2, m2, s2, ms2),
      text: body.join("\n"),
    });
  }
  return cues.sort((a, b) => a.start - b.start);
}

/** The captions to show at `time` (seconds): every cue that covers it, joined by lines. */
export function captionAt(cues: Cue[], time: number): string | null {
  const shown = cues.filter((c) => c.start <= time && time < c.end).map((c) => c.text);
  return shown.length ? shown.join("\n") : null;
}

/** How the user wants captions shown (remembered across videos and launches). */
export type CaptionsMode = "off" | "track" | "burnt";

const MODE_KEY = "vas.captions-mode";

export function savedCaptionsMode(): CaptionsMode {
  try {
    const saved = localStorage.getItem(MODE_KEY);
    if (saved === "off" || saved === "track" || saved === "burnt") return saved;
  } catch {
    // No storage (a test without a DOM): the default below.
  }
  return "track";
}

export function saveCaptionsMode(mode: CaptionsMode) {
  try {
    localStorage.setItem(MODE_KEY, mode);
  } catch {
    // Not remembered; the choice still applies to this video.
  }
}

/** What the player loads for a mode, given which files the video has. */
export function playbackChoice(
  mode: CaptionsMode,
  files: { captions: boolean; captioned: boolean },
): { file: "video" | "captioned"; track: boolean } {
  if (mode === "burnt" && files.captioned) return { file: "captioned", track: false };
  // Burnt-in asked for but not downloaded: the separate track is the next best thing.
  if (mode !== "off" && files.captions) return { file: "video", track: true };
  return { file: "video", track: false };
}
