import { describe, expect, it } from "vitest";
import { playbackChoice, srtToVtt } from "../src/lib/media/captions";

describe("srtToVtt", () => {
  it("converts cue numbers, commas and CRLF to WebVTT", () => {
    const srt =
      "\uFEFF1\r\n00:00:00,000 --> 00:00:02,500\r\nHello there\r\n\r\n" +
      "2\r\n00:00:02,500 --> 00:00:05,000\r\nTwo lines\r\nof text\r\n";
    expect(srtToVtt(srt)).toBe(
      "WEBVTT\n\n" +
        "00:00:00.000 --> 00:00:02.500\nHello there\n\n" +
        "00:00:02.500 --> 00:00:05.000\nTwo lines\nof text\n",
    );
  });

  it("pads short fields, drops SRT coordinates and keeps cues without numbers", () => {
    const srt = "0:00:01,5 --> 0:00:02,75 X1:10 X2:20 Y1:5 Y2:9\nShort\n";
    expect(srtToVtt(srt)).toBe("WEBVTT\n\n00:00:01.500 --> 00:00:02.750\nShort\n");
  });

  it("skips broken cues and arrows inside text instead of producing invalid WebVTT", () => {
    const srt =
      "1\nnot a timing line\nText\n\n" +
      "2\n00:00:03,000 --> 00:00:04,000\nA --> B\n\n" +
      "3\n00:00:05,000 --> 00:00:06,000\n\n";
    expect(srtToVtt(srt)).toBe("WEBVTT\n\n00:00:03.000 --> 00:00:04.000\nA → B\n");
  });

  it("turns an empty file into an empty but valid track", () => {
    expect(srtToVtt("")).toBe("WEBVTT\n\n\n");
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
