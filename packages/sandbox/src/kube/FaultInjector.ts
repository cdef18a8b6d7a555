/** One programmed fault. Every field that is set must match; unset fields match everything. */
export interface FaultSpec {
  /** HTTP method (GET, POST, PUT, PATCH, DELETE); any when unset. */
  method?: string;
  /**
   * Matched against the URL path (no query). A string is a glob: `*` is one path segment or part
   * of one, `**` anything. A RegExp is tested as is.
   */
  pathPattern?: string | RegExp;
  /** Only watch requests (`?watch=1`) or only non-watch requests. */
  watch?: boolean;
  /** Delay before the request is handled (or before the injected status is sent). */
  latencyMs?: number;
  /** Answer with this status and its apiserver-shaped Status body instead of handling the request. */
  status?: 500 | 503 | 429 | 403 | 504;
  /** For 429: the Retry-After seconds (default 1). */
  retryAfterSeconds?: number;
  /** For a watch: cut the connection (no clean end) this long after it opened. */
  dropWatchAfterMs?: number;
  /** How many requests the fault applies to; unlimited when unset. */
  times?: number;
}

export interface Fault extends FaultSpec {
  id: number;
  /** How many requests this fault has hit so far. */
  hits: number;
}

export interface RequestInfo {
  method: string;
  path: string;
  watch: boolean;
}

function globToRegExp(glob: string) {
  const escaped = glob.replace(/[.+?^${}()|[\]\\]/g, '\\$&');
  const pattern = escaped
    .split('**')
    .map(part => part.replace(/\*/g, '[^/]*'))
    .join('.*');
  return new RegExp(`^${pattern}$`);
}

/** Whether a fault applies to a request (pure). */
export function faultMatches(fault: FaultSpec, req: RequestInfo) {
  if (fault.method && fault.method.toUpperCase() !== req.method.toUpperCase())
    return false;
  if (fault.watch !== undefined && fault.watch !== req.watch) return false;
  if (fault.pathPattern !== undefined) {
    const re =
      typeof fault.pathPattern === 'string'
        ? globToRegExp(fault.pathPattern)
        : fault.pathPattern;
    if (!re.test(req.path)) return false;
  }
  return true;
}

/**
 * Faults programmed by tests: `add` a per-route fault, `conflictNextWrites(n)` to make the next n
 * PUT/PATCH requests fail with 409 Conflict, `clear()` to remove everything.
 */
export class FaultInjector {
  #faults: Fault[] = [];
  #nextId = 1;
  #conflicts: { remaining: number; pathPattern?: string | RegExp }[] = [];

  add(spec: FaultSpec): Fault {
    const fault = { ...spec, id: this.#nextId++, hits: 0 };
    this.#faults.push(fault);
    return fault;
  }

  remove(id: number) {
    this.#faults = this.#faults.filter(f => f.id !== id);
  }

  /** The next `n` writes (PUT/PATCH, optionally only on matching paths) answer 409 Conflict. */
  conflictNextWrites(n: number, pathPattern?: string | RegExp) {
    this.#conflicts.push({ remaining: n, pathPattern });
  }

  clear() {
    this.#faults = [];
    this.#conflicts = [];
  }

  list(): readonly Fault[] {
    return this.#faults;
  }

  /** The faults hitting this request, with their `times` budget consumed. */
  take(req: RequestInfo): Fault[] {
    // A fault that only drops watches neither applies to nor spends its budget on other requests.
    const onlyDrops = (f: Fault) =>
      f.dropWatchAfterMs !== undefined && !f.status && !f.latencyMs;
    const hit = this.#faults.filter(
      f => faultMatches(f, req) && (req.watch || !onlyDrops(f)),
    );
    for (const f of hit) {
      f.hits += 1;
      if (f.times !== undefined && f.hits >= f.times) this.remove(f.id);
    }
    return hit;
  }

  /** True when this write must fail with an injected 409. */
  takeConflict(req: RequestInfo) {
    if (!['PUT', 'PATCH'].includes(req.method.toUpperCase())) return false;
    const c = this.#conflicts.find(
      x => x.remaining > 0 && faultMatches({ pathPattern: x.pathPattern }, req),
    );
    if (!c) return false;
    c.remaining -= 1;
    if (c.remaining === 0)
      this.#conflicts = this.#conflicts.filter(x => x !== c);
    return true;
  }
}
