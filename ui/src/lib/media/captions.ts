// Subtitles as the player needs them: HeyGen (and the local agent) deliver SRT, while a
// <track> element reads only WebVTT. The two differ in the header, the cue numbers (optional in
// WebVTT) and the decimal comma in timestamps; SRT's optional X1/Y1 coordinates have no WebVTT
// meaning and are dropped.

const SRT_TIME = /(\d{1,2}):(\d{2}):(\d{2})[,.](\d{1,3})/;
const SRT_TIMING = new RegExp(`^\\s*${SRT_TIME.source}\\s*-->\\s*${SRT_TIME.source}`);

/** `00:00:01,5` → `00:00:01.500`. */
function vttTime(h: string, m: string, s: string, ms: string): string {
  return `${h.padStart(2, "0")}:${m}:${s}.${ms.padEnd(3, "0")}`;
}

/** Converts SRT text to WebVTT. Cues without a valid timing line are skipped, not guessed. */
export function srtToVtt(srt: string): string {
  const text = srt.replace(/^\uFEFF/, "").replace(/\r\n?/g, "\n");
  const cues: string[] = [];
  for (const block of text.split(/\n{2,}/)) {
    const lines = block.split("\n");
    const timingAt = lines.findIndex((line) => SRT_TIMING.test(line));
    // The timing is the first or second line (after the cue number); anything else is noise.
    if (timingAt < 0 || timingAt > 1) continue;
    const [, h1 = "", m1 = "", s1 = "", ms1 = "", h2 = "", m2 = "", s2 = "", ms2 = ""] =
      SRT_TIMING.exec(lines[timingAt] ?? "") ?? [];
    const timing = `${vttTime(h1, m1, s1, ms1)} --> ${vttTime(h2, m2, s2, ms2)}`;
    // "-->" may not appear in a WebVTT cue's text; blank lines would end the cue early.
    const body = lines
      .slice(timingAt + 1)
      .map((line) => line.replaceAll("-->", "→"))
      .filter((line) => line.trim() !== "");
    if (body.length === 0) continue;
    cues.push(`${timing}\n${body.join("\n")}`);
  }
  return `WEBVTT\n\n${cues.join("\n\n")}\n`;
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
