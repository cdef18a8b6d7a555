/**
 * Backups tab and fleet page for OpenBao clusters.
 *
 * @packageDocumentation
 */
export { default } from './plugin';
export { hasOpenBaoCluster } from './plugin';
export * from './api';
export { EntityBackupsContent } from './components/EntityBackupsContent';
