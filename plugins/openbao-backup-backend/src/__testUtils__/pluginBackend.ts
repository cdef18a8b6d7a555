/*
 * The whole openbao-backup plugin in `startTestBackend` for REST tests: given Kubernetes clusters,
 * permissions mocked to allow or deny, the scheduler mocked (no pass runs inside the backend:
 * tests drive the Reconciler themselves) and an empty catalog.
 */
import { LoggerService } from '@backstage/backend-plugin-api';
import { mockServices, startTestBackend } from '@backstage/backend-test-utils';
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
}) {
  const scheduler = mockServices.scheduler.mock();
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
      catalogServiceMock.factory({ entities: [] }),
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
