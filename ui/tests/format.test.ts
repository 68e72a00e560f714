import { describe, expect, it } from "vitest";
import { formatCount } from "../src/lib/format";

describe("formatCount", () => {
  it("writes whole numbers as en-US does, without Intl", () => {
    const samples = [0, 7, 999, 1000, 10_000, 12_345, 999_999, 1_000_000, 1_234_567_890];
    for (const n of [...samples, ...samples.slice(1).map((n) => -n)]) {
      expect(formatCount(n)).toBe(n.toLocaleString("en-US"));
    }
    for (let n = 0; n < 3_000_000; n += 7_919)
      expect(formatCount(n)).toBe(n.toLocaleString("en-US"));
  });
});
