export { startOpenBaoCluster } from './startOpenBaoCluster';
export { generateSelfSignedTls } from './tls';
export type { SelfSignedTls } from './tls';
export { snapshotTar, stateChunks, snapshotMeta } from './snapshot';
export type { SnapshotSpec, SnapshotDigest } from './snapshot';
export type {
  IssueJwtOptions,
  OpenBaoClusterHandle,
  OpenBaoClusterOptions,
  OpenBaoFaults,
  OpenBaoJwtRole,
  OpenBaoSnapshotOptions,
  OpenBaoSnapshotRecord,
} from './types';
