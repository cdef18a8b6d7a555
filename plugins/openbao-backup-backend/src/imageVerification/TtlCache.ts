/**
 * A memo with expiry: `get` returns the stored value while it is fresh, else runs `load` once even
 * when many callers ask at the same time (a pass over 1000 clusters shares one registry round trip).
 * `ttlOf` lets the loader's result choose its lifetime (failures shorter than successes).
 */
export class TtlCache<V> {
  readonly #entries = new Map<string, { value: V; expiresAt: number }>();
  readonly #inFlight = new Map<string, Promise<V>>();
  readonly #now: () => number;
  readonly #maxEntries: number;

  constructor(options: { now: () => number; maxEntries?: number }) {
    this.#now = options.now;
    this.#maxEntries = options.maxEntries ?? 1000;
  }

  async get(
    key: string,
    load: () => Promise<V>,
    ttlOf: (value: V) => number,
  ): Promise<V> {
    const entry = this.#entries.get(key);
    if (entry && entry.expiresAt > this.#now()) return entry.value;
    const pending = this.#inFlight.get(key);
    if (pending) return pending;
    const loading = load().then(value => {
      this.#store(key, value, ttlOf(value));
      return value;
    });
    this.#inFlight.set(key, loading);
    try {
      return await loading;
    } finally {
      this.#inFlight.delete(key);
    }
  }

  #store(key: string, value: V, ttlMs: number) {
    this.#entries.delete(key);
    if (ttlMs <= 0) return;
    // Map iteration is insertion order: the first key is the oldest entry.
    if (this.#entries.size >= this.#maxEntries) {
      this.#entries.delete(this.#entries.keys().next().value!);
    }
    this.#entries.set(key, { value, expiresAt: this.#now() + ttlMs });
  }
}
