import {
  ApiBlueprint,
  PageBlueprint,
  createFrontendPlugin,
  createRouteRef,
  discoveryApiRef,
  fetchApiRef,
} from '@backstage/frontend-plugin-api';
import {
  EntityCardBlueprint,
  EntityContentBlueprint,
} from '@backstage/plugin-catalog-react/alpha';
import { OPENBAO_CLUSTER_ANNOTATION } from '@internal/plugin-openbao-backup-common';
import BackupIcon from '@material-ui/icons/Backup';
import { OpenBaoBackupClient, openBaoBackupApiRef } from './api';

/** `api:openbao-backup`: the REST client. */
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

/** `entity-content:openbao-backup/backups`: the "Backups" tab. */
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

/** `entity-card:openbao-backup/overview`: health, last success and next run on the overview tab. */
const entityBackupsCard = EntityCardBlueprint.make({
  name: 'overview',
  params: {
    filter: hasOpenBaoCluster,
    loader: () =>
      import('./components/EntityBackupsCard').then(m => (
        <m.EntityBackupsCard />
      )),
  },
});

/** The fleet page's route; the app's sidebar lists pages that have one (plus a title and icon). */
export const fleetRouteRef = createRouteRef();

/** `page:openbao-backup`: the fleet page at `/openbao-backups`, with a nav item. */
const fleetPage = PageBlueprint.make({
  params: {
    path: '/openbao-backups',
    title: 'OpenBao Backups',
    icon: <BackupIcon />,
    routeRef: fleetRouteRef,
    loader: () => import('./components/FleetPage').then(m => <m.FleetPage />),
  },
});

/** The openbao-backup frontend plugin (new frontend system). */
export default createFrontendPlugin({
  pluginId: 'openbao-backup',
  extensions: [
    openBaoBackupApi,
    entityBackupsContent,
    entityBackupsCard,
    fleetPage,
  ],
  routes: { fleet: fleetRouteRef },
});
