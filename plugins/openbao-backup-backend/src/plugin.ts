import {
  coreServices,
  createBackendPlugin,
} from '@backstage/backend-plugin-api';
import { createRouter } from './service/router';

/**
 * The openbao-backup backend plugin: schedules OpenBao Raft snapshots as Kubernetes Jobs,
 * records their outcome on the OpenBaoCluster, applies retention and serves the REST API.
 */
export const openBaoBackupPlugin = createBackendPlugin({
  pluginId: 'openbao-backup',
  register(env) {
    env.registerInit({
      deps: {
        httpRouter: coreServices.httpRouter,
        logger: coreServices.logger,
      },
      async init({ httpRouter, logger }) {
        httpRouter.use(await createRouter({ logger }));
        httpRouter.addAuthPolicy({ path: '/health', allow: 'unauthenticated' });
      },
    });
  },
});
