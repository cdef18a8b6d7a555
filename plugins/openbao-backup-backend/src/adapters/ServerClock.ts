/**
 * The API server's clock as its responses tell it: every Kubernetes API server (Go net/http) sends
 * a `Date` header. Timestamps the server wrote (creationTimestamp, …) are compared with this, not
 * with the backend's clock, so clock skew between the two does not shorten or stretch a timeout.
 */
export class ServerClock {
  /** The latest `Date` seen (ms) and the monotonic time it arrived at. */
  #last?: { serverMs: number; arrivedAt: number };
  readonly #monotonicMs: () => number;

  /** `monotonicMs` is a seam for tests; elapsed time is measured with it, never with Date.now(). */
  constructor(monotonicMs: () => number = () => performance.now()) {
    this.#monotonicMs = monotonicMs;
  }

  /** Records a response's `Date` header; a missing or unparsable one is ignored. */
  observe(dateHeader: string | undefined) {
    const serverMs = dateHeader ? Date.parse(dateHeader) : NaN;
    if (Number.isNaN(serverMs)) return;
    this.#last = { serverMs, arrivedAt: this.#monotonicMs() };
  }

  /**
   * The server's time now: its latest `Date` plus the time elapsed since it arrived. `Date` has
   * one-second resolution and is truncated, so this is at most ~1 s behind (a timeout measured
   * with it ends slightly late, never early). Undefined before any response carried a `Date`.
   */
  now(): Date | undefined {
    if (!this.#last) return undefined;
    return new Date(
      this.#last.serverMs + (this.#monotonicMs() - this.#last.arrivedAt),
    );
  }
}
