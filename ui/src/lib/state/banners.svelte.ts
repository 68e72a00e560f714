// The notices above every screen that say how the whole app is doing: a 429 wait counting down,
// a transient problem while following jobs, files handed over that could not all be used.
import type { Backend, BackendError, Unsubscribe } from "../backend";

export class Banners {
  /** A transient problem (network down, server error): jobs keep going; gone on the next update. */
  warning = $state.raw<BackendError | null>(null);
  /** A message about files handed over that could not be used. */
  openedNotice = $state<string | null>(null);
  private rateLimitedUntil = $state(0);
  private now = $state(Date.now());

  /** Seconds left of the server's "slow down" (0: none). */
  get waitSeconds(): number {
    return Math.max(0, Math.ceil((this.rateLimitedUntil - this.now) / 1000));
  }

  rateLimited(seconds: number) {
    this.now = Date.now();
    this.rateLimitedUntil = this.now + seconds * 1000;
  }

  /** Follows the engine's events and the clock; resolves to the unsubscribe. */
  async follow(backend: Backend): Promise<Unsubscribe> {
    const timer = setInterval(() => (this.now = Date.now()), 1000);
    const stops = await Promise.all([
      backend.onRateLimited((seconds) => this.rateLimited(seconds)),
      backend.onJobWarning((_, error) => (this.warning = error)),
      backend.onJobChanged(() => (this.warning = null)),
    ]);
    return () => {
      clearInterval(timer);
      stops.forEach((stop) => stop());
    };
  }
}
