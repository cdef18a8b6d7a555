import { createPermission } from '@backstage/plugin-permission-common';

/** See a cluster's backup status, runs, snapshots and retention preview. */
export const openBaoBackupReadPermission = createPermission({
  name: 'openbao.backup.read',
  attributes: { action: 'read' },
  resourceType: 'catalog-entity',
});

/** Start a backup now ("Back up now" / POST .../trigger). */
export const openBaoBackupTriggerPermission = createPermission({
  name: 'openbao.backup.trigger',
  attributes: { action: 'create' },
  resourceType: 'catalog-entity',
});

/** Every permission of the plugin, for policy authors and the permissions registry. */
export const openBaoBackupPermissions = [
  openBaoBackupReadPermission,
  openBaoBackupTriggerPermission,
];
