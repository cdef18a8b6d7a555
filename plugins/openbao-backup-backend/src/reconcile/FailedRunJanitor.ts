import { LoggerService } from '@backstage/backend-plugin-api';
import {
  ANNOTATION_BACKUP_KEY,
  OpenBaoCluster,
} from '@internal/plugin-openbao-backup-common';
import { JobLike } from '../core';
import { KubeGateway } from '../adapters/KubeGateway';
import { ObjectStore } from '../adapters/ObjectStore';
import { ObjectStoreFactory } from '../adapters/objectStoreFor';

/** Passes after which an unreachable bucket is left to the age-based orphan janitor (runRetention). */
const MAX_ATTEMPTS = 40;
/**
 * A run's key is checked again on every pass for this long after the failure: an upload the
 * killed executor was creating, or one an eventually consistent listing (Swift) shows late,
 * is still caught.
 */
const SETTLE_MS = 60_000;

/**
 * Removes what a failed run left at its object key: the multipart upload of an executor killed
 * with SIGKILL (it cannot abort it itself), and an object completed just before the kill, which
 * was never verified and would contradict the failure in the status. Returns what it removed;
 * throws when the bucket cannot be reached.
 */
export async function cleanFailedRun(store: ObjectStore, key: string) {
  const uploads = (await store.listPendingUploads(key)).filter(
    u => u.key === key,
  );
  for (const upload of uploads) await store.abortUpload(upload);
  const present = (await store.list(key)).some(o => o.key === key);
  if (present) {
    const result = await store.deleteMany([key]);
    if (result.errors.length) throw new Error(result.errors[0].message);
  }
  return { abortedUploads: uploads.length, deletedObject: present };
}

/** The object key a backup Job writes to (its annotation). */
export const keyOfJob = (job: JobLike | undefined): string | undefined =>
  job?.metadata?.annotations?.[ANNOTATION_BACKUP_KEY];

interface PendingCleanup {
  cluster: OpenBaoCluster;
  jobName: string;
  attempts: number;
  /** When the failure was seen (reconciler clock, ms). */
  since: number;
}

/**
 * Cleans up after failed runs at once instead of waiting for the orphan-upload age threshold.
 * A clean-up that fails (bucket unreachable) is retried on the next passes; it is kept in memory
 * only — after a restart, runRetention's age-based abort is the backstop.
 */
export class FailedRunJanitor {
  readonly #openStore: ObjectStoreFactory;
  readonly #logger: LoggerService;
  /** By object key (unique per run). */
  readonly #pending = new Map<string, PendingCleanup>();

  static create(options: {
    openStore: ObjectStoreFactory;
    logger: LoggerService;
  }) {
    return new FailedRunJanitor(options.openStore, options.logger);
  }

  private constructor(openStore: ObjectStoreFactory, logger: LoggerService) {
    this.#openStore = openStore;
    this.#logger = logger;
  }

  /** Queues the clean-up of a run whose failure was just recorded (no-op without its key). */
  add(
    cluster: OpenBaoCluster,
    jobName: string,
    key: string | undefined,
    now: Date,
  ) {
    if (!key || this.#pending.has(key)) return;
    this.#pending.set(key, {
      cluster,
      jobName,
      attempts: 0,
      since: now.getTime(),
    });
  }

  /** Runs the queued clean-ups of this cluster; never throws. */
  async sweep(gateway: KubeGateway, cluster: OpenBaoCluster, now: Date) {
    const { uid, namespace, name } = cluster.metadata;
    const mine = [...this.#pending].filter(
      ([, p]) =>
        p.cluster.metadata.uid === uid &&
        p.cluster.metadata.namespace === namespace &&
        p.cluster.metadata.name === name,
    );
    for (const [key, pending] of mine) {
      const log = {
        cluster: `${namespace}/${name}`,
        job: pending.jobName,
        key,
      };
      try {
        const store = await this.#openStore(gateway, cluster);
        const done = await cleanFailedRun(store, key);
        if (now.getTime() - pending.since >= SETTLE_MS)
          this.#pending.delete(key);
        if (done.abortedUploads || done.deletedObject) {
          this.#logger.info('cleaned up after a failed run', {
            ...log,
            ...done,
          });
          await gateway.recordEvent(cluster, {
            type: 'Normal',
            reason: 'FailedRunCleanedUp',
            message: `Job ${pending.jobName} failed: aborted ${
              done.abortedUploads
            } multipart upload(s) at ${key}${
              done.deletedObject ? ' and deleted the unverified object' : ''
            }`,
          });
        }
      } catch (e) {
        pending.attempts += 1;
        if (pending.attempts === 1 || pending.attempts >= MAX_ATTEMPTS) {
          this.#logger.warn(
            pending.attempts >= MAX_ATTEMPTS
              ? 'giving up cleaning up after a failed run; the orphan-upload janitor will abort it'
              : 'cannot clean up after a failed run yet; retrying every pass',
            { ...log, error: String(e) },
          );
        }
        if (pending.attempts >= MAX_ATTEMPTS) this.#pending.delete(key);
      }
    }
  }
}
