import { describe, expect, it } from "vitest";
import { captionAt, parseSrt, playbackChoice } from "../src/lib/media/captions";

describe("parseSrt", () => {
  it("reads cue numbers, commas and CRLF into timed cues", () => {
    const srt =
      "\uFEFF1\r\n00:00:00,000 --> 00:00:02,500\r\nHello there\r\n\r\n" +
      "2\r\n00:00:02,500 --> 00:01:05,000\r\nTwo lines\r\nof text\r\n";
    expect(parseSrt(srt)).toEqual([
      { start: 0, end: 2.5, text: "Hello there" },
      { start: 2.5, end: 65, text: "Two lines\nof text" },
    ]);
  });

  it("pads short fields, drops SRT coordinates and keeps cues without numbers", () => {
    const srt = "1:00:01,5 --> 1:00:02,75 X1:10 X2:20 Y1:5 Y2:9\nShort\n";
    expect(parseSrt(srt)).toEqual([{ start: 3601.5, end: 3602.75, text: "Short" }]);
  });

  it("skips broken and empty cues and keeps arrows inside text", () => {
    const srt =
      "1\nnot a timing line\nText\n\n" +
      "2\n00:00:03,000 --> 00:00:04,000\nA --> B\n\n" +
      "3\n00:00:05,000 --> 00:00:06,000\n\n";
    expect(parseSrt(srt)).toEqual([{ start: 3, end: 4, text: "A --> B" }]);
  });

  it("turns an empty file into no cues", () => {
    expect(parseSrt("")).toEqual([]);
  });
});

describe("captionAt", () => {
  const cues = parseSrt(
    "1\n00:00:01,000 --> 00:00:03,000\nOne\n\n2\n00:00:02,000 --> 00:00:04,000\nTwo\n",
  );
  it("shows the cues covering a time, none between or after them", () => {
    expect(captionAt(cues, 0.5)).toBeNull();
    expect(captionAt(cues, 1)).toBe("One");
    expect(captionAt(cues, 2.5)).toBe("One\nTwo");
    expect(captionAt(cues, 3)).toBe("Two");
    expect(captionAt(cues, 4)).toBeNull();
  });
});

describe("playbackChoice", () => {
  const both = { captions: true, captioned: true };
  it("plays the captioned MP4 only when burnt-in captions are preferred and downloaded", () => {
    expect(playbackChoice("burnt", both)).toEqual({ file: "captioned", track: false });
    expect(playbackChoice("burnt", { captions: true, captioned: false })).toEqual({
      file: "video",
      track: true,
    });
  });
  it("adds the track when captions are on, and nothing when off or missing", () => {
    expect(playbackChoice("track", both)).toEqual({ file: "video", track: true });
    expect(playbackChoice("off", both)).toEqual({ file: "video", track: false });
    expect(playbackChoice("track", { captions: false, captioned: false })).toEqual({
      file: "video",
      track: false,
    });
  });
});
