export { SnapshotsTable } from './SnapshotsTable';
