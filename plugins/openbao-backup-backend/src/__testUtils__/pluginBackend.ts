/*
 * The whole openbao-backup plugin in `startTestBackend` for REST tests: given Kubernetes clusters,
 * permissions mocked to allow or deny, the scheduler mocked (no pass runs inside the backend:
 * tests drive the Reconciler themselves) and an empty catalog.
 */
import { LoggerService, ServiceFactory } from '@backstage/backend-plugin-api';
import { mockServices, startTestBackend } from '@backstage/backend-test-utils';
import { inMemoryDatabaseFactory } from './inMemoryDatabase';
import { catalogServiceMock } from '@backstage/plugin-catalog-node/testUtils';
import { AuthorizeResult } from '@backstage/plugin-permission-common';
import { openBaoBackupPlugin } from '../plugin';
import { ObjectStore } from '../adapters/ObjectStore';

export async function startPluginBackend(options: {
  /** Entries of `openbaoBackup.kubernetes.clusters`. */
  clusters: object[];
  permission?: AuthorizeResult.ALLOW | AuthorizeResult.DENY;
  /** Receives the plugin's log lines. */
  logger?: LoggerService;
  /** Catalog entities (default none). */
  entities?: object[];
  /** e.g. `mockServices.auditor.factory()` with a spy. */
  auditor?: { factory: ServiceFactory };
  /** A `mockServices.scheduler.mock()` the test inspects. */
  scheduler?: ReturnType<typeof mockServices.scheduler.mock>;
}) {
  const scheduler = options.scheduler ?? mockServices.scheduler.mock();
  scheduler.triggerTask.mockResolvedValue(undefined);
  const { server } = await startTestBackend({
    features: [
      openBaoBackupPlugin,
      mockServices.rootConfig.factory({
        data: {
          openbaoBackup: {
            reconcileInterval: { hours: 24 },
            kubernetes: { clusters: options.clusters },
          },
        },
      }),
      mockServices.permissions.factory({
        result: options.permission ?? AuthorizeResult.ALLOW,
      }),
      ...(options.logger
        ? [mockServices.logger.mock(options.logger).factory]
        : []),
      scheduler.factory,
      inMemoryDatabaseFactory,
      ...(options.auditor ? [options.auditor.factory] : []),
      catalogServiceMock.factory({ entities: (options.entities ?? []) as any }),
    ],
  });
  return server;
}

/** A bucket with nothing in it, for passes whose retention does not matter. */
export const emptyBucket: ObjectStore = {
  list: async () => [],
  deleteMany: async () => ({ deleted: [], errors: [] }),
  listPendingUploads: async () => [],
  abortUpload: async () => {},
};
