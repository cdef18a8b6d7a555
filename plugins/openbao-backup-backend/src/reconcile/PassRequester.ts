import { LoggerService, SchedulerService } from '@backstage/backend-plugin-api';

/**
 * Asks the scheduler for a reconcile pass now (the watch saw a trigger or a schedule edit). While a
 * pass runs the scheduler refuses with a ConflictError, and that pass may have read the cluster
 * before the change: ask again shortly until a fresh pass starts. Requests made meanwhile collapse
 * into the pending one.
 */
export class PassRequester {
  readonly #scheduler: Pick<SchedulerService, 'triggerTask'>;
  readonly #taskId: string;
  readonly #logger: LoggerService;
  readonly #retryMs: number;
  #timer?: NodeJS.Timeout;
  #inFlight = false;
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
    if (this.#stopped || this.#inFlight || this.#timer) return;
    this.#inFlight = true;
    this.#scheduler.triggerTask(this.#taskId).then(
      () => {
        this.#inFlight = false;
      },
      (e: Error) => {
        this.#inFlight = false;
        if (e?.name !== 'ConflictError') {
          this.#logger.warn('cannot start a reconcile pass', {
            error: e?.message ?? String(e),
          });
          return;
        }
        if (this.#stopped) return;
        this.#timer = setTimeout(() => {
          this.#timer = undefined;
          this.request();
        }, this.#retryMs);
        this.#timer.unref?.();
      },
    );
  }

  stop(): void {
    this.#stopped = true;
    clearTimeout(this.#timer);
  }
}
