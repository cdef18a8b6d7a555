import http from 'node:http';
import https from 'node:https';
import { S3Client } from '@aws-sdk/client-s3';
import { NodeHttpHandler } from '@smithy/node-http-handler';
import type { ExecutorConfig } from '../config/parseConfig';

export interface StaticCredentials {
  accessKeyId: string;
  secretAccessKey: string;
  sessionToken?: string;
}

/**
 * Whether SigV4 must hash each request body. Over TLS the channel already protects the bytes,
 * so the client sends `x-amz-content-sha256: UNSIGNED-PAYLOAD` (as the AWS CLI does over
 * https) and saves one SHA-256 pass over the snapshot; over plain http the signed hash is
 * the only integrity check the store applies, so it stays.
 */
export function signsPayload(endpoint: string | undefined): boolean {
  return endpoint !== undefined && new URL(endpoint).protocol === 'http:';
}

/**
 * The S3 client for the backup target. Static keys when given; otherwise the SDK's default
 * chain, which picks up AWS_ROLE_ARN + AWS_WEB_IDENTITY_TOKEN_FILE (web identity).
 * Checksums only WHEN_REQUIRED: S3-compatible stores (Swift, MinIO, Ceph) reject CRC trailers.
 */
export function createS3Client(
  storage: ExecutorConfig['storage'],
  opts: { credentials?: StaticCredentials; caCert?: string },
): S3Client {
  const sockets = storage.concurrency + 2;
  const client = new S3Client({
    region: storage.region,
    endpoint: storage.endpoint,
    forcePathStyle: storage.forcePathStyle,
    credentials: opts.credentials,
    requestChecksumCalculation: 'WHEN_REQUIRED',
    responseChecksumValidation: 'WHEN_REQUIRED',
    maxAttempts: 3,
    requestHandler: new NodeHttpHandler({
      connectionTimeout: 10_000,
      // per socket inactivity, not a cap on a whole part upload
      socketTimeout: 120_000,
      httpAgent: new http.Agent({ keepAlive: true, maxSockets: sockets }),
      httpsAgent: new https.Agent({
        keepAlive: true,
        maxSockets: sockets,
        ca: opts.caCert,
        rejectUnauthorized: !storage.insecureSkipVerify,
      }),
    }),
  });
  if (!signsPayload(storage.endpoint)) useUnsignedPayload(client);
  return client;
}

/** Makes the client send `x-amz-content-sha256: UNSIGNED-PAYLOAD` (see signsPayload). */
export function useUnsignedPayload(client: S3Client): void {
  // the signer takes a preset x-amz-content-sha256 instead of hashing the body
  client.middlewareStack.add(
    next => args => {
      (args.request as { headers: Record<string, string> }).headers[
        'x-amz-content-sha256'
      ] = 'UNSIGNED-PAYLOAD';
      return next(args);
    },
    { step: 'build', name: 'unsignedPayload' },
  );
}
