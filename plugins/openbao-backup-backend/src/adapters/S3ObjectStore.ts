import { createHash } from 'node:crypto';
import { Agent } from 'node:https';
import {
  AbortMultipartUploadCommand,
  DeleteObjectsCommand,
  ListMultipartUploadsCommand,
  ListObjectsV2Command,
  S3Client,
} from '@aws-sdk/client-s3';
import { NodeHttpHandler } from '@smithy/node-http-handler';
import { ForwardedError } from '@backstage/errors';
import {
  DeleteResult,
  ObjectStore,
  PendingUpload,
  StoredObject,
} from './ObjectStore';

export interface S3ObjectStoreOptions {
  bucket: string;
  region: string;
  endpoint?: string;
  forcePathStyle?: boolean;
  /** Static credentials; absent = the SDK's default chain (web identity, instance role…). */
  credentials?: {
    accessKeyId: string;
    secretAccessKey: string;
    sessionToken?: string;
  };
  /** PEM of a private CA for the endpoint. */
  caCert?: string;
  /** Deadline of one request, response included (default {@link S3_REQUEST_TIMEOUT_MS}). */
  requestTimeoutMs?: number;
}

/**
 * One S3 request (a page of a listing, a batch delete) may take this long before it fails. The
 * SDK sets no deadline of its own: a store that accepts connections and never answers would hold
 * the reconcile pass of its API server (retention, the janitor) until the backend restarts.
 */
export const S3_REQUEST_TIMEOUT_MS = 60_000;

const DELETE_BATCH = 1000;

/** {@link ObjectStore} on the AWS SDK v3; the only module of the backend importing it. */
export class S3ObjectStore implements ObjectStore {
  readonly #client: S3Client;
  readonly #bucket: string;

  static create(options: S3ObjectStoreOptions): S3ObjectStore {
    return new S3ObjectStore(options);
  }

  private constructor(options: S3ObjectStoreOptions) {
    this.#bucket = options.bucket;
    this.#client = new S3Client({
      region: options.region,
      endpoint: options.endpoint || undefined,
      forcePathStyle: options.forcePathStyle,
      credentials: options.credentials,
      // S3-compatible servers (Swift, older MinIO, Ceph) reject the SDK's default CRC32 trailers.
      requestChecksumCalculation: 'WHEN_REQUIRED',
      responseChecksumValidation: 'WHEN_REQUIRED',
      maxAttempts: 3,
      requestHandler: new NodeHttpHandler({
        connectionTimeout: 10_000,
        requestTimeout: options.requestTimeoutMs ?? S3_REQUEST_TIMEOUT_MS,
        throwOnRequestTimeout: true,
        ...(options.caCert
          ? { httpsAgent: new Agent({ ca: options.caCert }) }
          : {}),
      }),
    });
    // DeleteObjects must carry Content-MD5 for servers that do not accept the newer checksums.
    this.#client.middlewareStack.add(
      (next, context) => async args => {
        const request = args.request as {
          body?: unknown;
          headers?: Record<string, string>;
        };
        if (
          context.commandName === 'DeleteObjectsCommand' &&
          typeof request.body === 'string' &&
          request.headers
        ) {
          for (const h of Object.keys(request.headers)) {
            if (/^x-amz-(checksum|sdk-checksum)/i.test(h))
              delete request.headers[h];
          }
          request.headers['content-md5'] = createHash('md5')
            .update(request.body)
            .digest('base64');
        }
        return next(args);
      },
      // Before signing (finalizeRequest), after the SDK's own checksum middleware (build).
      { step: 'build', priority: 'low', name: 'deleteObjectsContentMd5' },
    );
  }

  async list(prefix: string): Promise<StoredObject[]> {
    const objects: StoredObject[] = [];
    let token: string | undefined;
    try {
      do {
        const page = await this.#client.send(
          new ListObjectsV2Command({
            Bucket: this.#bucket,
            Prefix: prefix,
            ContinuationToken: token,
          }),
        );
        for (const o of page.Contents ?? []) {
          if (o.Key) {
            objects.push({
              key: o.Key,
              size: o.Size ?? 0,
              lastModified: o.LastModified,
            });
          }
        }
        token = page.IsTruncated ? page.NextContinuationToken : undefined;
      } while (token);
    } catch (e) {
      throw new ForwardedError(`list objects in bucket ${this.#bucket}`, e);
    }
    return objects;
  }

  async deleteMany(keys: string[]): Promise<DeleteResult> {
    const result: DeleteResult = { deleted: [], errors: [] };
    for (let i = 0; i < keys.length; i += DELETE_BATCH) {
      const batch = keys.slice(i, i + DELETE_BATCH);
      try {
        const out = await this.#client.send(
          new DeleteObjectsCommand({
            Bucket: this.#bucket,
            Delete: { Objects: batch.map(Key => ({ Key })), Quiet: false },
          }),
        );
        result.deleted.push(
          ...(out.Deleted ?? []).map(d => d.Key!).filter(Boolean),
        );
        result.errors.push(
          ...(out.Errors ?? []).map(e => ({
            key: e.Key ?? '?',
            message: `${e.Code ?? 'Error'}: ${e.Message ?? ''}`.trim(),
          })),
        );
      } catch (e) {
        const message = e instanceof Error ? e.message : String(e);
        result.errors.push(...batch.map(key => ({ key, message })));
      }
    }
    return result;
  }

  async listPendingUploads(prefix: string): Promise<PendingUpload[]> {
    const uploads: PendingUpload[] = [];
    let keyMarker: string | undefined;
    let uploadIdMarker: string | undefined;
    try {
      do {
        const page = await this.#client.send(
          new ListMultipartUploadsCommand({
            Bucket: this.#bucket,
            Prefix: prefix,
            KeyMarker: keyMarker,
            UploadIdMarker: uploadIdMarker,
          }),
        );
        for (const u of page.Uploads ?? []) {
          if (u.Key && u.UploadId) {
            uploads.push({
              key: u.Key,
              uploadId: u.UploadId,
              initiated: u.Initiated,
            });
          }
        }
        keyMarker = page.IsTruncated ? page.NextKeyMarker : undefined;
        uploadIdMarker = page.IsTruncated ? page.NextUploadIdMarker : undefined;
      } while (keyMarker);
    } catch (e) {
      throw new ForwardedError(
        `list multipart uploads in bucket ${this.#bucket}`,
        e,
      );
    }
    return uploads;
  }

  async abortUpload(upload: PendingUpload): Promise<void> {
    try {
      await this.#client.send(
        new AbortMultipartUploadCommand({
          Bucket: this.#bucket,
          Key: upload.key,
          UploadId: upload.uploadId,
        }),
      );
    } catch (e) {
      throw new ForwardedError(`abort multipart upload of ${upload.key}`, e);
    }
  }
}
