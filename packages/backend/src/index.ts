/*
 * The demo and production backend: catalog, guest auth (demo), permissions and openbao-backup.
 */
import { createBackend } from '@backstage/backend-defaults';

const backend = createBackend();

backend.add(import('@backstage/plugin-app-backend'));

backend.add(import('@backstage/plugin-auth-backend'));
// Guest sign-in for the local demo; configure a real provider in production (auth.providers).
backend.add(import('@backstage/plugin-auth-backend-module-guest-provider'));

backend.add(import('@backstage/plugin-catalog-backend'));
backend.add(import('@backstage/plugin-catalog-backend-module-logs'));

backend.add(import('@backstage/plugin-permission-backend'));
// Allows everything unless `permission.enabled` is false; replace this module with your own policy.
backend.add(
  import('@backstage/plugin-permission-backend-module-allow-all-policy'),
);

// Owner notifications when a cluster's backups turn failing or stale.
backend.add(import('@backstage/plugin-notifications-backend'));

backend.add(import('@internal/plugin-openbao-backup-backend'));

backend.start();
