import type { S3Client } from '@aws-sdk/client-s3';

interface Held {
  partNumber: number;
  release: () => void;
}

/**
 * An in-memory stand-in for the S3 client MultipartSink drives, whose UploadPart calls stay
 * open until the test releases them (or the caller's abortSignal cancels them). It records how
 * many parts were in flight at once and what each request carried. With `holdAbort`,
 * AbortMultipartUpload hangs the same way.
 */
export function heldS3Client(options_: { holdAbort?: boolean } = {}) {
  const held: Held[] = [];
  const stored = new Map<number, Buffer>();
  const calls: string[] = [];
  let holding = true;
  let inFlight = 0;
  let maxInFlight = 0;
  let cancelled = 0;
  let completedParts: { PartNumber?: number; ETag?: string }[] | undefined;
  let onChange = () => {};

  /** Waits until released, or rejects as the SDK does when the signal cancels the request. */
  const hold = (partNumber: number, signal?: AbortSignal) =>
    new Promise<void>((resolve, reject) => {
      const cancel = () => {
        cancelled++;
        reject(
          Object.assign(new Error('Request aborted'), { name: 'AbortError' }),
        );
      };
      if (signal?.aborted) {
        cancel();
        return;
      }
      signal?.addEventListener('abort', cancel, { once: true });
      held.push({ partNumber, release: resolve });
      onChange();
    });

  const client = {
    async send(
      command: { constructor: { name: string }; input: any },
      options?: { abortSignal?: AbortSignal },
    ) {
      const name = command.constructor.name.replace(/Command$/, '');
      calls.push(name);
      const { input } = command;
      switch (name) {
        case 'CreateMultipartUpload':
          return { UploadId: 'upload-1' };
        case 'UploadPart': {
          // the sink reuses the buffer once the part settles: keep a copy
          const body = Buffer.from(input.Body as Buffer);
          inFlight++;
          maxInFlight = Math.max(maxInFlight, inFlight);
          onChange();
          try {
            if (holding) await hold(input.PartNumber, options?.abortSignal);
            stored.set(input.PartNumber, body);
            return { ETag: `"etag-${input.PartNumber}"` };
          } finally {
            inFlight--;
            onChange();
          }
        }
        case 'CompleteMultipartUpload':
          completedParts = input.MultipartUpload.Parts;
          return {};
        case 'AbortMultipartUpload':
          // a store that does not answer the abort either (held as "part 0")
          if (options_.holdAbort) await hold(0, options?.abortSignal);
          return {};
        case 'PutObject':
          return {};
        default:
          throw new Error(`heldS3Client: unexpected ${name}`);
      }
    },
  } as unknown as S3Client;

  return {
    client,
    /** Parts held open right now, by part number. */
    held: () => held.map(h => h.partNumber),
    get inFlight() {
      return inFlight;
    },
    get maxInFlight() {
      return maxInFlight;
    },
    /** UploadParts ended by the caller's abortSignal. */
    get cancelled() {
      return cancelled;
    },
    calls,
    stored,
    get completedParts() {
      return completedParts;
    },
    /** Resolves once `predicate` holds (checked whenever a part starts, is held or ends). */
    until(predicate: () => boolean): Promise<void> {
      return new Promise(resolve => {
        const check = () => {
          if (predicate()) {
            onChange = () => {};
            resolve();
          }
        };
        onChange = check;
        check();
      });
    },
    /** Lets the oldest held part finish. */
    releaseOne(): void {
      held.shift()?.release();
    },
    /** Lets every held part finish, and every later one go through at once. */
    releaseAll(): void {
      holding = false;
      for (const h of held.splice(0)) h.release();
    },
  };
}
