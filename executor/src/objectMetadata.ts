import type { ExecutorConfig } from './config/parseConfig';
import { EXECUTOR_VERSION } from './version';

/** Where in the Raft log a snapshot was taken (from its meta.json) and its state.bin's SHA-256. */
export interface SnapshotPosition {
  raftIndex: number;
  raftTerm: number;
  /** Known only once the whole stream has verified. */
  stateSha256?: string;
}

/**
 * The object metadata of docs/contract.md §4, in one place for the upload (CreateMultipartUpload,
 * the final part) and the HeadObject check after it.
 */
export function objectMetadata(
  config: Pick<ExecutorConfig, 'clusterName' | 'clusterNamespace'>,
  position: SnapshotPosition,
): Record<string, string> {
  return {
    'openbao-cluster': config.clusterName,
    'openbao-namespace': config.clusterNamespace,
    'openbao-raft-index': String(position.raftIndex),
    'openbao-raft-term': String(position.raftTerm),
    ...(position.stateSha256 === undefined
      ? {}
      : { 'openbao-state-sha256': position.stateSha256 }),
    'executor-version': EXECUTOR_VERSION,
  };
}
