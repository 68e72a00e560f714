import { afterEach, describe, expect, it } from "vitest";
import { BackendError, isTauri, selectBackend, toBackendError } from "../src/lib/backend";

describe("backend selection", () => {
  afterEach(() => {
    delete (window as unknown as Record<string, unknown>).__TAURI_INTERNALS__;
  });

  it("uses the mock in a plain browser", () => {
    expect(isTauri()).toBe(false);
    expect(selectBackend().kind).toBe("mock");
  });

  it("uses Tauri when the desktop shell is present", () => {
    (window as unknown as Record<string, unknown>).__TAURI_INTERNALS__ = {};
    expect(isTauri()).toBe(true);
    expect(selectBackend().kind).toBe("tauri");
  });
});

describe("toBackendError", () => {
  it("keeps the shell's error fields", () => {
    const error = toBackendError({
      code: "rate_limited",
      message: "Too many requests.",
      request_id: "req_1",
      retry_after: 7,
    });
    expect(error).toBeInstanceOf(BackendError);
    expect(error.code).toBe("rate_limited");
    expect(error.message).toBe("Too many requests.");
    expect(error.requestId).toBe("req_1");
    expect(error.retryAfter).toBe(7);
  });

  it("wraps Tauri's plain-string rejections", () => {
    const error = toBackendError("command app_info not allowed by ACL");
    expect(error.code).toBe("ipc_error");
    expect(error.message).toContain("not allowed");
  });
});
