import { describe, expect, it } from "vitest";
import { warningHeadline } from "../src/lib/state/warnings";

describe("warningHeadline", () => {
  it("says a dropped connection in plain words, not the socket error", () => {
    const headline = warningHeadline({
      code: "network_error",
      message: "network error: could not connect to the server: Connection refused (os error 111)",
    });
    expect(headline).toBe("Can't reach the server right now.");
    expect(headline).not.toMatch(/os error/);
  });

  it("names server trouble for 5xx codes", () => {
    expect(warningHeadline({ code: "service_unavailable", message: "503" })).toMatch(/trouble/);
  });

  it("falls back to the message as a sentence for unknown codes", () => {
    expect(warningHeadline({ code: "weird", message: "the disk is full" })).toBe(
      "The disk is full.",
    );
    expect(warningHeadline({ code: "weird", message: "  " })).toMatch(/went wrong/);
  });
});
