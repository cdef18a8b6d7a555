import {
  ClusterKeyRef,
  DEFAULT_ORPHAN_UPLOAD_MAX_AGE_MS,
  parseObjectKey,
} from '@internal/plugin-openbao-backup-common';
import { Timestamp, toMillis } from './types';

/** One entry of ListMultipartUploads. */
export interface MultipartUpload {
  key: string;
  uploadId: string;
  initiated?: Timestamp;
}

export interface OrphanUploadAbort {
  key: string;
  uploadId: string;
  reason: string;
}

/**
 * Multipart uploads to abort: those whose key is one of ours for this cluster (`parseObjectKey`)
 * and that were initiated more than `maxAgeMs` (default 24 h) before `now` — the backstop for
 * executors killed with SIGKILL. Uploads without an `initiated` time, younger ones and foreign keys
 * are left alone.
 */
export function planOrphanUploadAborts(
  uploads: MultipartUpload[],
  ref: ClusterKeyRef,
  pathPrefix: string | undefined,
  now: Date,
  maxAgeMs: number = DEFAULT_ORPHAN_UPLOAD_MAX_AGE_MS,
): OrphanUploadAbort[] {
  return uploads.flatMap(upload => {
    if (!parseObjectKey(upload.key, ref, pathPrefix)) return [];
    const initiated = toMillis(upload.initiated);
    if (initiated === undefined) return [];
    const age = now.getTime() - initiated;
    if (age <= maxAgeMs) return [];
    return [
      {
        key: upload.key,
        uploadId: upload.uploadId,
        reason: `multipart upload initiated ${Math.round(
          age / 1000,
        )} s ago, older than ${Math.round(maxAgeMs / 1000)} s`,
      },
    ];
  });
}
