import { LoggerService, SchedulerService } from '@backstage/backend-plugin-api';

/**
 * Asks the scheduler for a reconcile pass now (the watch saw a trigger or a schedule edit). While a
 * pass runs the scheduler refuses with a ConflictError, and that pass may have read the cluster
 * before the change: ask again shortly until a fresh pass starts. Requests made while a trigger is
 * in flight collapse into one more trigger after it.
 */
export class PassRequester {
  readonly #scheduler: Pick<SchedulerService, 'triggerTask'>;
  readonly #taskId: string;
  readonly #logger: LoggerService;
  readonly #retryMs: number;
  #timer?: NodeJS.Timeout;
  #inFlight = false;
  #again = false;
  #stopped = false;

  static create(options: {
    scheduler: Pick<SchedulerService, 'triggerTask'>;
    taskId: string;
    logger: LoggerService;
    retryMs?: number;
  }) {
    return new PassRequester(options);
  }

  private constructor(options: {
    scheduler: Pick<SchedulerService, 'triggerTask'>;
    taskId: string;
    logger: LoggerService;
    retryMs?: number;
  }) {
    this.#scheduler = options.scheduler;
    this.#taskId = options.taskId;
    this.#logger = options.logger;
    this.#retryMs = options.retryMs ?? 250;
  }

  request(): void {
    if (this.#stopped) return;
    if (this.#inFlight || this.#timer) {
      // The pass being started may already have read the cluster: ask once more afterwards.
      this.#again = true;
      return;
    }
    this.#inFlight = true;
    this.#again = false;
    this.#scheduler.triggerTask(this.#taskId).then(
      () => this.#settled(false),
      (e: Error) => {
        if (e?.name === 'ConflictError') {
          this.#settled(true);
          return;
        }
        this.#logger.warn('cannot start a reconcile pass', {
          error: e?.message ?? String(e),
        });
        this.#settled(false);
      },
    );
  }

  #settled(busy: boolean) {
    this.#inFlight = false;
    if (this.#stopped || !(busy || this.#again)) return;
    this.#timer = setTimeout(() => {
      this.#timer = undefined;
      this.request();
    }, this.#retryMs);
    this.#timer.unref?.();
  }

  stop(): void {
    this.#stopped = true;
    clearTimeout(this.#timer);
  }
}
