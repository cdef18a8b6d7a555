/*
 * The real backend plugin in a test backend whose reconcile task really runs, on given Kubernetes
 * API doubles and clock. The scheduler is the mock one: the task runs at start-up and when
 * triggered (by the test through `pass()`, or by the plugin's own watch), never on a timer.
 */
import {
  LoggerService,
  SchedulerService,
  coreServices,
  createServiceFactory,
} from '@backstage/backend-plugin-api';
import { mockServices, startTestBackend } from '@backstage/backend-test-utils';
import { ConflictError } from '@backstage/errors';
import { catalogServiceMock } from '@backstage/plugin-catalog-node/testUtils';
import { AuthorizeResult } from '@backstage/plugin-permission-common';
import { KubeApi } from '@internal/openbao-backup-sandbox';
import { RECONCILE_TASK_ID, openBaoBackupPlugin } from '../plugin';
import { Clock, clockServiceFactory } from '../clock';
import { inMemoryDatabaseFactory } from './inMemoryDatabase';

/**
 * The mock scheduler, refusing a trigger with a ConflictError while the task runs as the real one
 * does (the mock would silently drop it), so the plugin's retry of watch-triggered passes counts.
 */
function refusingWhileRunning(
  mock: SchedulerService,
): SchedulerService & { runs(): number } {
  const running = new Set<string>();
  let runs = 0;
  return {
    runs: () => runs,
    getScheduledTasks: () => mock.getScheduledTasks(),
    createScheduledTaskRunner: schedule =>
      mock.createScheduledTaskRunner(schedule),
    cancelTask: id => mock.cancelTask(id),
    scheduleTask: task =>
      mock.scheduleTask({
        ...task,
        fn: async signal => {
          running.add(task.id);
          runs++;
          try {
            await task.fn(signal);
          } finally {
            running.delete(task.id);
          }
        },
      }),
    triggerTask: async id => {
      if (running.has(id)) {
        throw new ConflictError(`Task ${id} is currently running`);
      }
      await mock.triggerTask(id);
    },
  };
}

export async function startReconcilingBackend(options: {
  /** `url` replaces the API double's own (e.g. a fault proxy in front of it). */
  kubes: Array<{ name: string; api: KubeApi; url?: string }>;
  clock: Clock;
  entities?: object[];
  /** Merged into `openbaoBackup.kubernetes` (e.g. `requestTimeout`). */
  kubernetes?: object;
  /** Merged into `openbaoBackup` (e.g. `job`). */
  openbaoBackup?: object;
  /** Receives the plugin's log lines. */
  logger?: Partial<LoggerService>;
}) {
  const scheduler = refusingWhileRunning(mockServices.scheduler());
  const backend = await startTestBackend({
    features: [
      openBaoBackupPlugin,
      mockServices.rootConfig.factory({
        data: {
          openbaoBackup: {
            // Every run a full pass, as `pass()` promises (light passes: lightPass.test.ts).
            reconcileInterval: { milliseconds: 1 },
            kubernetes: {
              clusters: options.kubes.map(k => ({
                ...k.api.clusterConfig(k.name),
                ...(k.url ? { url: k.url } : {}),
              })),
              ...options.kubernetes,
            },
            ...options.openbaoBackup,
          },
        },
      }),
      createServiceFactory({
        service: coreServices.scheduler,
        deps: { lifecycle: coreServices.lifecycle },
        factory: ({ lifecycle }) => {
          lifecycle.addStartupHook(() =>
            scheduler.triggerTask(RECONCILE_TASK_ID),
          );
          return scheduler;
        },
      }),
      clockServiceFactory(options.clock),
      inMemoryDatabaseFactory,
      ...(options.logger
        ? [mockServices.logger.mock(options.logger).factory]
        : []),
      catalogServiceMock.factory({ entities: (options.entities ?? []) as any }),
      mockServices.permissions.factory({ result: AuthorizeResult.ALLOW }),
    ],
  });
  return {
    server: backend.server,
    /** One reconcile pass, as the periodic task would run it (after the one running, if any). */
    pass: async () => {
      for (;;) {
        try {
          return await scheduler.triggerTask(RECONCILE_TASK_ID);
        } catch (e) {
          if ((e as Error).name !== 'ConflictError') throw e;
          await new Promise(r => setTimeout(r, 20));
        }
      }
    },
    /** How many reconcile passes have run so far (started by the plugin or by `pass()`). */
    runs: () => scheduler.runs(),
    stop: () => backend.stop(),
  };
}

/** Polls `read` until `done` holds (or throws after `ms`, with the last value). */
export async function waitFor<T>(
  read: () => Promise<T>,
  done: (value: T) => boolean,
  what: string,
  ms = 10_000,
): Promise<T> {
  const deadline = Date.now() + ms;
  for (;;) {
    const value = await read();
    if (done(value)) return value;
    if (Date.now() > deadline) {
      throw new Error(
        `timed out waiting for ${what}: ${JSON.stringify(value)}`,
      );
    }
    await new Promise(r => setTimeout(r, 50));
  }
}
