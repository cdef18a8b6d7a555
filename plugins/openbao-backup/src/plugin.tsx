import {
  ApiBlueprint,
  createFrontendPlugin,
  discoveryApiRef,
  fetchApiRef,
} from '@backstage/frontend-plugin-api';
import { EntityContentBlueprint } from '@backstage/plugin-catalog-react/alpha';
import { OPENBAO_CLUSTER_ANNOTATION } from '@internal/plugin-openbao-backup-common';
import { OpenBaoBackupClient, openBaoBackupApiRef } from './api';

const openBaoBackupApi = ApiBlueprint.make({
  params: defineParams =>
    defineParams({
      api: openBaoBackupApiRef,
      deps: { discoveryApi: discoveryApiRef, fetchApi: fetchApiRef },
      factory: deps => new OpenBaoBackupClient(deps),
    }),
});

/** Shown only on entities that link an OpenBao cluster. */
export const hasOpenBaoCluster = (entity: {
  metadata: { annotations?: Record<string, string> };
}) => Boolean(entity.metadata.annotations?.[OPENBAO_CLUSTER_ANNOTATION]);

const entityBackupsContent = EntityContentBlueprint.make({
  name: 'backups',
  params: {
    path: 'backups',
    title: 'Backups',
    filter: hasOpenBaoCluster,
    loader: () =>
      import('./components/EntityBackupsContent').then(m => (
        <m.EntityBackupsContent />
      )),
  },
});

/** The openbao-backup frontend plugin (new frontend system). */
export default createFrontendPlugin({
  pluginId: 'openbao-backup',
  extensions: [openBaoBackupApi, entityBackupsContent],
});
