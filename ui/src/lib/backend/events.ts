// The page's side of src-tauri/ui_events.rs: Rust queues its events, numbered, and the page
// collects them with one waiting `next_events` call at a time (answered as soon as there is
// something, or empty after 25 s), then asks again from where the answer ended. Not Tauri's
// events: each of their subscriptions runs a script in the web view, whose result starts a
// JavaScript engine in the app's process (3.5 MiB); a command's answer needs none.
import type { EventBatch_Serialize, UiEvent_Serialize } from "./bindings";
import type { Unsubscribe } from "./backend";

export type UiEventKind = UiEvent_Serialize["kind"];
export type UiEventPayload<K extends UiEventKind> = Extract<
  UiEvent_Serialize,
  { kind: K }
>["payload"];
type Handler = (payload: never) => void;

/** After a failed call, the next one waits this long (doubling up to the cap). */
const RETRY_MS = 250;
const RETRY_CAP_MS = 5_000;

export class EventPump {
  // Not reactive state: only the pump reads these.
  #handlers = new Map<UiEventKind, Set<Handler>>();
  #missed = new Set<() => void>();
  #started: Promise<void> | null = null;

  constructor(
    private readonly nextEvents: (after: number | null) => Promise<EventBatch_Serialize>,
    private readonly pause = (ms: number) => new Promise<void>((done) => setTimeout(done, ms)),
  ) {}

  /**
   * Calls `handler` with the payload of every event of `kind`. Resolves once the page is
   * collecting events: whatever happens after that reaches the handler.
   */
  async on<K extends UiEventKind>(
    kind: K,
    handler: (payload: UiEventPayload<K>) => void,
  ): Promise<Unsubscribe> {
    let set = this.#handlers.get(kind);
    if (!set) this.#handlers.set(kind, (set = new Set()));
    const entry = handler as Handler;
    set.add(entry);
    try {
      await this.#start();
    } catch (error) {
      set.delete(entry);
      throw error;
    }
    return () => void set.delete(entry);
  }

  /** Calls `handler` when events were lost (the page fell far behind): re-read what it shows. */
  async onMissed(handler: () => void): Promise<Unsubscribe> {
    this.#missed.add(handler);
    await this.#start();
    return () => void this.#missed.delete(handler);
  }

  #start(): Promise<void> {
    this.#started ??= this.nextEvents(null).then(
      (first) => void this.#collect(first.next),
      (error: unknown) => {
        // The next subscription tries again.
        this.#started = null;
        throw error;
      },
    );
    return this.#started;
  }

  async #collect(after: number): Promise<never> {
    let wait = RETRY_MS;
    for (;;) {
      let batch: EventBatch_Serialize;
      try {
        batch = await this.nextEvents(after);
        wait = RETRY_MS;
      } catch (error) {
        console.error("collecting events from the app failed; trying again", error);
        await this.pause(wait);
        wait = Math.min(wait * 2, RETRY_CAP_MS);
        continue;
      }
      after = batch.next;
      if (batch.missed) this.#each(this.#missed, undefined as never);
      for (const event of batch.events) {
        this.#each(this.#handlers.get(event.kind), event.payload as never);
      }
    }
  }

  #each(handlers: Set<Handler> | Set<() => void> | undefined, payload: never) {
    for (const handler of handlers ?? []) {
      try {
        (handler as Handler)(payload);
      } catch (error) {
        // One broken handler does not stop the others or the pump.
        console.error("an event handler failed", error);
      }
    }
  }
}
