/** Default of `openbaoBackup.kubernetes.passTimeout`. */
export const DEFAULT_PASS_TIMEOUT_MS = 120_000;

/** An API server whose part of a pass did not end in time (or was not started). */
export interface GatewayMiss {
  kubernetesCluster: string;
  message: string;
}

/**
 * Runs each API server's part of a pass in parallel, each under a deadline, so one hung or slow
 * server never holds up the others (nor the scheduler, which waits for the pass). A part past its
 * deadline is not waited for: its `stop` signal aborts (it starts no further cluster) and the
 * server is reported missed; until that part has ended, later passes skip the server rather than
 * pile up requests on it or act twice on its clusters. The task's abort signal ends the wait too.
 */
export class GatewayDeadlines {
  readonly #timeoutMs: number;
  /** Parts past their deadline and still running, by API server name. */
  readonly #lingering = new Map<string, Promise<void>>();

  static create(options: { timeoutMs: number }): GatewayDeadlines {
    return new GatewayDeadlines(options.timeoutMs);
  }

  private constructor(timeoutMs: number) {
    this.#timeoutMs = timeoutMs;
  }

  /** The servers whose part missed its deadline, was aborted, or still lingers from before. */
  async run<G extends { name: string }>(
    gateways: Iterable<G>,
    part: (gateway: G, stop: AbortSignal) => Promise<void>,
    signal?: AbortSignal,
  ): Promise<GatewayMiss[]> {
    // Every part ends (or misses its deadline) before an error is passed on: a part still running
    // after `run` returned would be neither waited for nor skipped by the next pass.
    const outcomes = await Promise.allSettled(
      [...gateways].map(g => this.#runOne(g, part, signal)),
    );
    const failed = outcomes.find(
      (o): o is PromiseRejectedResult => o.status === 'rejected',
    );
    if (failed) throw failed.reason;
    return outcomes
      .map(o => (o.status === 'fulfilled' ? o.value : undefined))
      .filter((m): m is GatewayMiss => m !== undefined);
  }

  async #runOne<G extends { name: string }>(
    gateway: G,
    part: (gateway: G, stop: AbortSignal) => Promise<void>,
    signal?: AbortSignal,
  ): Promise<GatewayMiss | undefined> {
    const seconds = this.#timeoutMs / 1000;
    const miss = (why: string) => ({
      kubernetesCluster: gateway.name,
      message: `Kubernetes API server ${gateway.name} ${why}`,
    });
    if (this.#lingering.has(gateway.name)) {
      return miss(
        `is still busy with an earlier pass that missed its ${seconds} s deadline (openbaoBackup.kubernetes.passTimeout); skipped`,
      );
    }
    if (signal?.aborted) return miss('skipped: the pass was aborted');
    const stop = new AbortController();
    const timer = setTimeout(() => stop.abort(), this.#timeoutMs);
    const onAbort = () => stop.abort();
    signal?.addEventListener('abort', onAbort, { once: true });
    const work = part(gateway, stop.signal);
    const stopped = new Promise<'stopped'>(resolve =>
      stop.signal.addEventListener('abort', () => resolve('stopped'), {
        once: true,
      }),
    );
    try {
      if ((await Promise.race([work, stopped])) !== 'stopped') return undefined;
    } finally {
      clearTimeout(timer);
      signal?.removeEventListener('abort', onAbort);
    }
    const lingering = work.then(
      () => undefined,
      () => undefined,
    );
    this.#lingering.set(gateway.name, lingering);
    void lingering.then(() => this.#lingering.delete(gateway.name));
    return miss(
      signal?.aborted
        ? 'was not waited for: the pass was aborted'
        : `did not finish its part of the pass within ${seconds} s (openbaoBackup.kubernetes.passTimeout); its clusters are retried next pass`,
    );
  }
}
