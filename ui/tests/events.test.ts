import { describe, expect, it, vi } from "vitest";
import type { EventBatch_Serialize, UiEvent_Serialize } from "../src/lib/backend/bindings";
import { EventPump } from "../src/lib/backend/events";
import { PlayerStates } from "../src/lib/backend/tauri";

/** A fake `next_events`: each call waits for the test to answer it. */
function fakeApp() {
  const calls: {
    after: number | null;
    answer: (batch: EventBatch_Serialize) => void;
    fail: (e: unknown) => void;
  }[] = [];
  const waiters: (() => void)[] = [];
  const nextEvents = (after: number | null) =>
    new Promise<EventBatch_Serialize>((answer, fail) => {
      calls.push({ after, answer, fail });
      waiters.splice(0).forEach((wake) => wake());
    });
  /** The n-th call (0-based), once the pump has made it. */
  async function call(n: number) {
    while (calls.length <= n) await new Promise<void>((wake) => waiters.push(wake));
    return calls[n]!;
  }
  return { nextEvents, call, calls };
}

const rate = (secs: number): UiEvent_Serialize => ({
  kind: "rateLimited",
  payload: { retryAfterSecs: secs },
});
const batch = (next: number, events: UiEvent_Serialize[] = [], missed = false) => ({
  events,
  next,
  missed,
});
const settle = () => new Promise((done) => setTimeout(done, 0));

describe("EventPump", () => {
  it("subscribes once the app answered where events start, then delivers each event in order", async () => {
    const app = fakeApp();
    const pump = new EventPump(app.nextEvents);
    const seen: number[] = [];
    let subscribed = false;
    const pending = pump
      .on("rateLimited", (r) => seen.push(r.retryAfterSecs))
      .then((stop) => ((subscribed = true), stop));
    const first = await app.call(0);
    expect(first.after).toBeNull();
    await settle();
    expect(subscribed).toBe(false);
    first.answer(batch(5));
    await pending;
    const second = await app.call(1);
    expect(second.after).toBe(5);
    second.answer(batch(7, [rate(1), { kind: "filesOpened", payload: { count: 2 } }, rate(3)]));
    expect((await app.call(2)).after).toBe(7);
    expect(seen).toEqual([1, 3]);
  });

  it("shares one collection between subscriptions and stops calling a handler after unsubscribe", async () => {
    const app = fakeApp();
    const pump = new EventPump(app.nextEvents);
    const a: number[] = [];
    const b: number[] = [];
    const subscribing = Promise.all([
      pump.on("rateLimited", (r) => a.push(r.retryAfterSecs)),
      pump.on("rateLimited", (r) => b.push(r.retryAfterSecs)),
    ]);
    (await app.call(0)).answer(batch(0));
    const [stopA] = await subscribing;
    (await app.call(1)).answer(batch(1, [rate(1)]));
    await app.call(2);
    stopA();
    app.calls[2]!.answer(batch(2, [rate(2)]));
    await app.call(3);
    expect(a).toEqual([1]);
    expect(b).toEqual([1, 2]);
    expect(app.calls.filter((c) => c.after === null)).toHaveLength(1);
  });

  it("tells when events were missed, and a failing handler stops neither the others nor the pump", async () => {
    const app = fakeApp();
    const pump = new EventPump(app.nextEvents);
    const seen: number[] = [];
    let missed = 0;
    const error = vi.spyOn(console, "error").mockImplementation(() => {});
    const subscribing = Promise.all([
      pump.on("rateLimited", () => {
        throw new Error("broken handler");
      }),
      pump.on("rateLimited", (r) => seen.push(r.retryAfterSecs)),
      pump.onMissed(() => (missed += 1)),
    ]);
    (await app.call(0)).answer(batch(0));
    await subscribing;
    (await app.call(1)).answer(batch(3000, [rate(9)], true));
    (await app.call(2)).answer(batch(3001, [rate(10)]));
    expect((await app.call(3)).after).toBe(3001);
    expect(missed).toBe(1);
    expect(seen).toEqual([9, 10]);
    expect(error).toHaveBeenCalled();
    error.mockRestore();
  });

  it("asks again from the same position after a failed call, waiting longer each time up to a cap", async () => {
    const app = fakeApp();
    const pauses: number[] = [];
    const pump = new EventPump(app.nextEvents, async (ms) => void pauses.push(ms));
    const error = vi.spyOn(console, "error").mockImplementation(() => {});
    const subscribing = pump.on("rateLimited", () => {});
    (await app.call(0)).answer(batch(4));
    await subscribing;
    for (let n = 1; n <= 7; n += 1) (await app.call(n)).fail(new Error("ipc down"));
    (await app.call(8)).answer(batch(5));
    (await app.call(9)).fail(new Error("ipc down"));
    await app.call(10);
    expect(app.calls.slice(1).map((c) => c.after)).toEqual([4, 4, 4, 4, 4, 4, 4, 4, 5, 5]);
    expect(pauses).toEqual([250, 500, 1000, 2000, 4000, 5000, 5000, 250]);
    error.mockRestore();
  });

  it("rejects a subscription whose first call failed, and the next subscription tries again", async () => {
    const app = fakeApp();
    const pump = new EventPump(app.nextEvents);
    const first = pump.on("rateLimited", () => {});
    (await app.call(0)).fail(new Error("not yet"));
    await expect(first).rejects.toThrow("not yet");
    const second = pump.on("rateLimited", () => {});
    const retry = await app.call(1);
    expect(retry.after).toBeNull();
    retry.answer(batch(0));
    await expect(second).resolves.toBeTypeOf("function");
  });
});

describe("PlayerStates", () => {
  const state = (position: number) =>
    ({
      ready: true,
      playing: true,
      ended: false,
      position,
      duration: 3,
      width: 320,
      height: 180,
      volume: 1,
      muted: false,
      error: null,
    }) as const;
  const update = (id: string, position: number): UiEvent_Serialize => ({
    kind: "playerState",
    payload: { id, state: state(position) },
  });

  it("gives a player the state that came before its id did, then every later one, until it is forgotten", async () => {
    const app = fakeApp();
    const players = new PlayerStates(new EventPump(app.nextEvents));
    const seen: number[] = [];
    let answerOpen: (opened: { id: string }) => void = () => {};
    let asked = () => {};
    const askedToOpen = new Promise<void>((done) => (asked = done));
    const opening = players.open(
      (s) => seen.push(s.position ?? -1),
      () =>
        new Promise((done) => {
          answerOpen = done;
          asked();
        }),
    );
    (await app.call(0)).answer(batch(0));
    await askedToOpen;
    // Rust's first state (and another player's) arrive before player_open answers.
    (await app.call(1)).answer(batch(2, [update("p1", 0.5), update("other", 9)]));
    await app.call(2);
    answerOpen({ id: "p1" });
    await opening;
    expect(seen).toEqual([0.5]);
    app.calls[2]!.answer(batch(4, [update("p1", 1), update("other", 9.5)]));
    await app.call(3);
    players.forget("p1");
    app.calls[3]!.answer(batch(5, [update("p1", 2)]));
    await app.call(4);
    expect(seen).toEqual([0.5, 1]);
  });
});
