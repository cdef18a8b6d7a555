import type { AddressInfo } from 'node:net';

export interface EmbeddedS3 {
  endpoint: string;
  stop(): Promise<void>;
}

/**
 * The demo's S3 store when Swift cannot be had: fauxqs (an S3 emulator on npm), inside this
 * process, on loopback only — it checks no signatures. Tested with the executor's multipart
 * upload, metadata self-copy and abort, and the backend's Content-MD5 DeleteObjects; it has no
 * ListMultipartUploads (always empty) and takes parts up to 11 MiB.
 */
export async function startEmbeddedS3(port = 0): Promise<EmbeddedS3> {
  // fauxqs is ESM-only (an `import` export condition): a real dynamic import, kept out of the bundle.
  const { buildApp } = await import('fauxqs');
  const app = buildApp({ logger: false });
  // startFauxqs() would listen on 0.0.0.0; an unauthenticated store stays on loopback.
  await app.listen({ port, host: '127.0.0.1' });
  const { port: bound } = app.server.address() as AddressInfo;
  return {
    endpoint: `http://127.0.0.1:${bound}`,
    stop: async () => {
      await app.close();
    },
  };
}
