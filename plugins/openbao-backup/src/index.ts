/**
 * Backups tab, overview card and fleet page for OpenBao clusters.
 *
 * @packageDocumentation
 */
export { default } from './plugin';
export { hasOpenBaoCluster } from './plugin';
export * from './api';
export { EntityBackupsContent } from './components/EntityBackupsContent';
export { EntityBackupsCard } from './components/EntityBackupsCard';
export { FleetPage } from './components/FleetPage';
