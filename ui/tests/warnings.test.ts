import { describe, expect, it } from "vitest";
import type { ErrorCode } from "../src/lib/backend";
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

  // Codes are a closed list now: "unknown" means one without a headline of its own.
  it("falls back to the message as a sentence for codes without a headline", () => {
    expect(warningHeadline({ code: "io_error", message: "the disk is full" })).toBe(
      "The disk is full.",
    );
    expect(warningHeadline({ code: "io_error", message: "  " })).toMatch(/went wrong/);
  });

  it("takes only the codes Rust exports", () => {
    // @ts-expect-error a misspelt code fails `npm run check` (it would silently never match)
    const misspelt: ErrorCode = "network_eror";
    // @ts-expect-error the headline table is keyed by the same closed list
    expect(warningHeadline({ code: "service_unavalable", message: "503" })).toBe("503.");
    expect(misspelt).toBe("network_eror");
  });
});
