import { describe, expect, it, vi } from "vitest";
import { QueryCache } from "../src/lib/state/queries.svelte";
import type { SessionChanged } from "../src/lib/components/session/chat";

const change = (sessionId: string, videos = false): SessionChanged => ({
  sessionId,
  jobId: null,
  status: null,
  stuck: false,
  added: 1,
  videos,
});

/** A cache over a hand-driven event source, and a counted read of session `sess_1`. */
function setup() {
  let push: (c: SessionChanged) => void = () => undefined;
  const cache = new QueryCache();
  void cache.follow({
    onSessionChanged: async (listener) => {
      push = listener;
      return () => undefined;
    },
  });
  let n = 0;
  const read = vi.fn(async () => ++n);
  const watch = () =>
    cache.watch(
      "thread:sess_1",
      read,
      (c) => c.kind === "session" && c.session.sessionId === "sess_1",
    );
  return { push: (c: SessionChanged) => push(c), read, watch };
}

const settle = () => new Promise((resolve) => setTimeout(resolve, 0));

describe("QueryCache", () => {
  it("reads once when watched, and again only for changes that affect it", async () => {
    const { push, read, watch } = setup();
    const { query } = watch();
    await settle();
    expect(read).toHaveBeenCalledTimes(1);
    expect(query.data).toBe(1);
    push(change("sess_other"));
    await settle();
    expect(read).toHaveBeenCalledTimes(1);
    push(change("sess_1"));
    await settle();
    expect(read).toHaveBeenCalledTimes(2);
    expect(query.data).toBe(2);
  });

  it("answers a burst of changes with one read", async () => {
    const { push, read, watch } = setup();
    watch();
    await settle();
    for (let i = 0; i < 5; i++) push(change("sess_1"));
    await settle();
    expect(read).toHaveBeenCalledTimes(2);
  });

  it("reads once more after a read that a change overtook", async () => {
    const { push, read, watch } = setup();
    const { query } = watch();
    await settle();
    const pending = query.refresh();
    await Promise.resolve();
    await Promise.resolve();
    push(change("sess_1"));
    await pending;
    expect(read).toHaveBeenCalledTimes(3);
    expect(query.data).toBe(3);
  });

  it("does not read for a screen that is not shown, and catches up when it is", async () => {
    const { push, read, watch } = setup();
    const first = watch();
    await settle();
    first.stop();
    push(change("sess_1"));
    push(change("sess_1"));
    await settle();
    expect(read).toHaveBeenCalledTimes(1);
    const again = watch();
    await settle();
    expect(read).toHaveBeenCalledTimes(2);
    expect(again.query).toBe(first.query);
    // Shown again with nothing new: the cached copy is current, no read.
    again.stop();
    watch();
    await settle();
    expect(read).toHaveBeenCalledTimes(2);
  });

  it("keeps a failed read's error as a BackendError and clears it on success", async () => {
    const cache = new QueryCache();
    let fail = true;
    const { query } = cache.watch(
      "x",
      async () => {
        if (fail) throw { code: "store_error", message: "database error: locked" };
        return "ok";
      },
      () => true,
    );
    await settle();
    expect(query.error?.code).toBe("store_error");
    fail = false;
    await query.refresh();
    expect(query.error).toBeNull();
    expect(query.data).toBe("ok");
  });
});
