import {
  OpenBaoCluster,
  OpenBaoRestore,
} from '@internal/plugin-openbao-backup-common';
import { JobLike, ObservedCluster } from '../core';

/** A Kubernetes Event to record on an OpenBaoCluster. */
export interface ClusterEvent {
  type: 'Normal' | 'Warning';
  /** CamelCase, e.g. `BackupStarted`, `BackupFailed`, `PreflightFailed`. */
  reason: string;
  message: string;
}

/**
 * Everything the backend does with one Kubernetes API server, in the project's own types.
 * The only implementation that talks to a real server is {@link ClientNodeKubeGateway}.
 */
export interface KubeGateway {
  /** Name of the Kubernetes cluster in config. */
  readonly name: string;
  listClusters(): Promise<OpenBaoCluster[]>;
  getCluster(
    namespace: string,
    name: string,
  ): Promise<OpenBaoCluster | undefined>;
  /** Reads what the core needs about one cluster: Secrets (key names only), restores, Jobs, Pods. */
  observe(cluster: OpenBaoCluster): Promise<ObservedCluster>;
  /**
   * `observe` for all of a pass's clusters at once: one list each of backup Jobs, their Pods and
   * OpenBaoRestores (per configured namespace, or cluster-wide) and every referenced Secret read
   * once, instead of 4 requests per cluster. Keyed `namespace/name`; a cluster whose Secret could
   * not be read gets that Error. Optional: without it each cluster is observed on its own.
   */
  observeAll?(
    clusters: OpenBaoCluster[],
  ): Promise<Map<string, ObservedCluster | Error>>;
  listRestores(namespace: string): Promise<OpenBaoRestore[]>;
  /** Creates the Job; if one of that name exists already it is returned instead (adoption). */
  createJob(job: JobManifest): Promise<JobLike>;
  deleteJob(namespace: string, name: string): Promise<void>;
  /**
   * Deletes a Pod with its own grace period (the executor gets SIGTERM and aborts its upload).
   * Already gone is fine.
   */
  deletePod(namespace: string, name: string): Promise<void>;
  /**
   * JSON merge patch on the `status` subresource. A `metadata.resourceVersion` in it is a
   * precondition: a ConflictError when the object changed since that version was read.
   */
  patchClusterStatus(
    namespace: string,
    name: string,
    patch: object,
  ): Promise<void>;
  /** Sets one annotation with a JSON merge patch. */
  setClusterAnnotation(
    namespace: string,
    name: string,
    key: string,
    value: string,
  ): Promise<void>;
  /**
   * Removes one annotation only while it still holds `value` (a JSON patch `test` + `remove`):
   * false, and nothing changed, when it holds another value now (a newer request) or is gone.
   */
  removeClusterAnnotation(
    namespace: string,
    name: string,
    key: string,
    value: string,
  ): Promise<boolean>;
  recordEvent(cluster: OpenBaoCluster, event: ClusterEvent): Promise<void>;
  /**
   * Watches OpenBaoClusters (all configured namespaces) and calls `onChange` for every added or
   * modified one, `onDeleted` for a deleted one. Reconnects after errors and dropped connections;
   * the returned function stops it.
   */
  watchClusters(
    onChange: (cluster: OpenBaoCluster) => void,
    onError: (error: Error) => void,
    onDeleted?: (cluster: OpenBaoCluster) => void,
  ): () => void;
  /**
   * Watches the backup Jobs (label `LABEL_COMPONENT`, all configured namespaces), as
   * `watchClusters` does the clusters: what tells a run's end without waiting for a full pass.
   */
  watchJobs(
    onEvent: (type: WatchEventType, job: JobLike) => void,
    onError: (error: Error) => void,
  ): () => void;
  /**
   * Reads a Secret's decoded values. Only the S3 adapter calls this, to list a bucket with the
   * cluster's static credentials; values are never logged or returned by the API.
   */
  readSecretData(
    namespace: string,
    name: string,
  ): Promise<Record<string, string> | undefined>;
}

/** A watch event on an object (bookmarks and errors are the gateway's own business). */
export type WatchEventType = 'ADDED' | 'MODIFIED' | 'DELETED';

/** A Job manifest as produced by `buildBackupJob`. */
export type JobManifest = JobLike & {
  apiVersion: 'batch/v1';
  kind: 'Job';
  metadata: { name: string; namespace: string };
};
