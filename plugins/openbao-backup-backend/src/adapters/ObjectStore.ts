/** An object under a cluster's prefix, as listed from the bucket. */
export interface StoredObject {
  key: string;
  size: number;
  lastModified?: Date;
}

/** An unfinished multipart upload (left behind by an executor killed with SIGKILL). */
export interface PendingUpload {
  key: string;
  uploadId: string;
  initiated?: Date;
}

export interface DeleteResult {
  deleted: string[];
  errors: Array<{ key: string; message: string }>;
}

/** The bucket operations of retention and the snapshots API. Implemented by {@link S3ObjectStore}. */
export interface ObjectStore {
  /** Every object under `prefix` (all pages). */
  list(prefix: string): Promise<StoredObject[]>;
  /** Deletes in batches of at most 1000 keys; per-key failures are returned, not thrown. */
  deleteMany(keys: string[]): Promise<DeleteResult>;
  listPendingUploads(prefix: string): Promise<PendingUpload[]>;
  abortUpload(upload: PendingUpload): Promise<void>;
}
