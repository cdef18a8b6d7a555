import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import https from 'node:https';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { S3Client } from '@aws-sdk/client-s3';
import {
  OpenBaoClusterHandle,
  startOpenBaoCluster,
  startTlsProxy,
  TlsProxyHandle,
} from '@internal/openbao-backup-sandbox';
import { createLogger } from './log';
import { runExecutor } from './main';
import { loadConfig } from './stages/config';
import { executorEnv } from './__testUtils__/harness';
import {
  assertS3Reachable,
  createTestBucket,
  leftovers,
  objectBytes,
  S3_TEST_ENDPOINT,
  S3_TEST_KEY,
  S3_TEST_SECRET,
  testS3Client,
} from './__testUtils__/s3';

/**
 * The storage TLS settings end to end: an https proxy with a throwaway self-signed certificate
 * (startTlsProxy) in front of the real S3 server stands in for an S3 endpoint with a private CA.
 */
describe('storage TLS: caCert and BACKUP_INSECURE_SKIP_VERIFY', () => {
  let s3: S3Client;
  let bucket: string;
  let cluster: OpenBaoClusterHandle;
  let proxy: TlsProxyHandle;
  let endpoint: string;
  let caPem: string;
  const dirs: string[] = [];

  beforeAll(async () => {
    await assertS3Reachable();
    s3 = testS3Client();
    bucket = await createTestBucket(s3);
    proxy = await startTlsProxy(S3_TEST_ENDPOINT);
    endpoint = proxy.url;
    caPem = proxy.caPem;
    cluster = await startOpenBaoCluster({
      snapshot: { stateSize: 64 * 1024, index: 7, term: 2 },
      jwtRoles: [{ name: 'backup', boundServiceAccounts: ['ns1/c1-backup'] }],
    });
  }, 30_000);

  afterAll(async () => {
    await cluster?.stop();
    await proxy?.close();
    for (const d of dirs) rmSync(d, { recursive: true, force: true });
  });

  async function run(opts: { ca?: string; env?: Record<string, string> }) {
    const { env, dir, key } = executorEnv({
      cluster,
      bucket,
      env: { BACKUP_ENDPOINT: endpoint, ...opts.env },
    });
    dirs.push(dir);
    if (opts.ca) writeFileSync(join(dir, 'credentials/caCert'), opts.ca);
    const before = proxy.requests();
    const out = await runExecutor({
      env,
      log: createLogger(() => {}),
      stdout: async () => {},
    });
    return {
      ...out,
      report: JSON.parse(out.report),
      key,
      requests: proxy.requests() - before,
    };
  }

  it('trusts the endpoint through the caCert file', async () => {
    const r = await run({ ca: caPem });
    expect(r.report.error).toBeNull();
    expect(r.exitCode).toBe(0);
    expect(r.requests).toBeGreaterThan(0);
    expect((await objectBytes(s3, bucket, r.key)).length).toBe(r.report.size);
  });

  it('without the CA fails the storage stage with exit 5 and a clear TLS error, leaving nothing', async () => {
    const r = await run({});
    expect(r.exitCode).toBe(5);
    expect(r.report).toMatchObject({ ok: false, stage: 'stream' });
    expect(r.report.error).toMatch(/self[- ]signed certificate/i);
    expect(r.report.error).toMatch(
      /; set caCert in the credentials Secret \(or target\.caSecretRef\) to the store's CA, or BACKUP_INSECURE_SKIP_VERIFY=true for tests only$/,
    );
    // the credentials never appear (and the hint avoids the word "testing": it is the shared S3 secret, which the report redacts)
    expect(r.report.error).not.toContain(S3_TEST_SECRET);
    expect(r.report.error).not.toContain(S3_TEST_KEY);
    const left = await leftovers(s3, bucket);
    expect(left.objects).not.toContain(r.key);
    expect(left.uploads).toEqual([]);
  });

  it('with BACKUP_INSECURE_SKIP_VERIFY=true accepts the unknown certificate', async () => {
    const r = await run({ env: { BACKUP_INSECURE_SKIP_VERIFY: 'true' } });
    expect(r.report.error).toBeNull();
    expect(r.exitCode).toBe(0);
  });

  it('reads caCert with web identity (AWS_ROLE_ARN) too', async () => {
    // the client the config stage builds (webIdentity.test.ts runs a backup through a local STS)
    const dir = mkdtempSync(join(tmpdir(), 'executor-webid-'));
    dirs.push(dir);
    writeFileSync(join(dir, 'aws-token'), 'token');
    writeFileSync(join(dir, 'caCert'), caPem);
    const { env } = executorEnv({ cluster, bucket });
    const lines: string[] = [];
    const ctx = await loadConfig.run({
      deps: {
        env: {
          ...env,
          BACKUP_ENDPOINT: endpoint,
          BACKUP_CREDENTIALS_PATH: dir,
          AWS_ROLE_ARN: 'arn:aws:iam::1:role/backup',
          AWS_WEB_IDENTITY_TOKEN_FILE: join(dir, 'aws-token'),
        },
        log: createLogger(l => void lines.push(l)),
        exists: existsSync,
        readFile: p => readFile(p, 'utf8'),
        now: Date.now,
      },
      signal: new AbortController().signal,
      startedAt: Date.now(),
      currentStage: 'config',
      timings: {},
    });
    expect(lines.join('')).toMatch(
      /"credentials":"webIdentity".*"customStorageCa":true/,
    );
    // NodeHttpHandler keeps its resolved options (with the https agent) behind configProvider
    const handler = ctx.s3!.config.requestHandler as any;
    const agent: https.Agent = (await handler.configProvider).httpsAgent;
    expect(agent.options).toMatchObject({
      ca: caPem.trim(),
      rejectUnauthorized: true,
    });
    ctx.s3!.destroy();
    ctx.openbao?.close();
  });
});
