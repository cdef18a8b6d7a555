import {
  ClusterRef,
  OpenBaoCluster,
  OpenBaoRestore,
} from '@internal/plugin-openbao-backup-common';

/** A timestamp as JSON gives it (string) or as `@kubernetes/client-node` gives it (Date). */
export type Timestamp = string | Date;

/** A Secret as the core sees it: its name and the keys of `data`, never the values. */
export interface ObservedSecret {
  name: string;
  keys: string[];
}

/** The fields of a batch/v1 Job the core reads (a plain Job object or a client-node V1Job fits). */
export interface JobLike {
  metadata?: {
    name?: string;
    namespace?: string;
    uid?: string;
    labels?: Record<string, string>;
    annotations?: Record<string, string>;
    creationTimestamp?: Timestamp;
    deletionTimestamp?: Timestamp;
  };
  spec?: { activeDeadlineSeconds?: number };
  status?: {
    active?: number;
    succeeded?: number;
    failed?: number;
    startTime?: Timestamp;
    completionTime?: Timestamp;
    conditions?: Array<{
      type: string;
      status: string;
      reason?: string;
      message?: string;
      lastTransitionTime?: Timestamp;
    }>;
  };
}

/** The fields of a v1 Pod the core reads to explain a Job's outcome. */
export interface PodLike {
  metadata?: {
    name?: string;
    namespace?: string;
    creationTimestamp?: Timestamp;
    deletionTimestamp?: Timestamp;
  };
  status?: {
    phase?: string;
    reason?: string;
    message?: string;
    containerStatuses?: Array<{
      name: string;
      state?: {
        waiting?: { reason?: string; message?: string };
        running?: { startedAt?: Timestamp };
        terminated?: {
          exitCode: number;
          reason?: string;
          message?: string;
          startedAt?: Timestamp;
          finishedAt?: Timestamp;
        };
      };
    }>;
  };
}

/**
 * Everything the core needs to decide about one OpenBaoCluster, read in one pass by the adapter.
 * See `secretsToObserve` for which Secrets to read.
 */
export interface ObservedCluster {
  ref: ClusterRef;
  cluster: OpenBaoCluster;
  /** Secrets of the cluster's namespace that were found (keys only). Absent = not found. */
  secrets: ObservedSecret[];
  /** OpenBaoRestores in the cluster's namespace (any cluster; filtered by `spec.cluster`). */
  restores: OpenBaoRestore[];
  /** Backup Jobs of this cluster (label `openbao.org/cluster=<name>`, component `backup`). */
  jobs: JobLike[];
  /** Pods of those Jobs by Job name (label `job-name`), to explain failures. Optional. */
  pods?: Record<string, PodLike[]>;
  /**
   * The API server's clock just after these objects were read (its `Date` response header), to
   * measure ages of the timestamps it wrote. Absent when unknown: the backend's clock is used.
   */
  serverTime?: Date;
}

export function toMillis(value: Timestamp | undefined): number | undefined {
  if (value === undefined || value === null) return undefined;
  const ms = value instanceof Date ? value.getTime() : Date.parse(value);
  return Number.isNaN(ms) ? undefined : ms;
}
