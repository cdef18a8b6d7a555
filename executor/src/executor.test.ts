import { createHash } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import http from 'node:http';
import {
  startOpenBaoCluster,
  OpenBaoClusterHandle,
  OpenBaoClusterOptions,
} from '@internal/openbao-backup-sandbox';
import type { S3Client } from '@aws-sdk/client-s3';
import { createLogger } from './log';
import { defaultStages, runExecutor } from './main';
import { runPipeline } from './runPipeline';
import { executorEnv, HarnessOptions } from './__testUtils__/harness';
import {
  assertS3Reachable,
  createTestBucket,
  headObject,
  leftovers,
  objectBytes,
  testS3Client,
} from './__testUtils__/s3';

jest.setTimeout(60_000);

const sha256 = (b: Buffer) => createHash('sha256').update(b).digest('hex');
const MiB = 1024 * 1024;

const clusterOptions: OpenBaoClusterOptions = {
  pods: 3,
  leaderIndex: 1,
  snapshot: { stateSize: 2 * MiB, index: 31337, term: 5 },
  jwtRoles: [
    {
      name: 'backup',
      audience: 'openbao-internal',
      boundServiceAccounts: ['ns1/c1-backup'],
    },
  ],
  tokens: { 'static-token': ['snapshot'], 'weak-token': ['default'] },
};

function fetchDirect(cluster: OpenBaoClusterHandle): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    http
      .get(
        `${
          cluster.addresses[cluster.leaderIndex]
        }/v1/sys/storage/raft/snapshot`,
        { headers: { 'X-Vault-Token': 'static-token' } },
        res => {
          const parts: Buffer[] = [];
          res.on('data', c => parts.push(c));
          res.on('end', () => resolve(Buffer.concat(parts)));
        },
      )
      .on('error', reject);
  });
}

describe('executor against the OpenBao double and a real S3 server', () => {
  let s3: S3Client;
  let cluster: OpenBaoClusterHandle | undefined;
  const logs: string[] = [];

  beforeAll(async () => {
    await assertS3Reachable();
    s3 = testS3Client();
  });
  afterEach(async () => {
    await cluster?.stop();
    cluster = undefined;
    logs.length = 0;
  });

  async function run(
    options: OpenBaoClusterOptions,
    harness: Omit<HarnessOptions, 'cluster' | 'bucket'> = {},
    bucket?: string,
    prepare: (c: OpenBaoClusterHandle) => void = () => {},
  ) {
    cluster = await startOpenBaoCluster({ ...clusterOptions, ...options });
    prepare(cluster);
    const b = bucket ?? (await createTestBucket(s3));
    const { env, dir, key } = executorEnv({ cluster, bucket: b, ...harness });
    const lines: string[] = [];
    const out = await runExecutor({
      env,
      log: createLogger(l => void logs.push(l)),
      stdout: async l => void lines.push(l),
    });
    const report = JSON.parse(out.report);
    expect(lines).toEqual([out.report]);
    expect(readFileSync(`${dir}/termination-log`, 'utf8')).toBe(out.report);
    return { ...out, report, bucket: b, key, env, dir };
  }

  async function expectNothingLeft(bucket: string) {
    expect(await leftovers(s3, bucket)).toEqual({ objects: [], uploads: [] });
  }

  it('backs up from the leader (not the first pod) with JWT auth: bytes, metadata and result JSON', async () => {
    const r = await run({});
    expect(r.report.error).toBeNull();
    expect(r.exitCode).toBe(0);
    const object = await objectBytes(s3, r.bucket, r.key);
    const direct = await fetchDirect(cluster!);
    expect(sha256(object)).toBe(sha256(direct));
    const served = cluster!.snapshots.find(s => s.completed)!;
    expect(served.pod).toBe(1);
    expect(r.report).toEqual({
      ok: true,
      stage: 'done',
      key: r.key,
      size: object.length,
      durationSeconds: expect.any(Number),
      sha256: sha256(object),
      stateSha256: served.stateSha256,
      raftIndex: 31337,
      raftTerm: 5,
      sealedChecksums: true,
      error: null,
    });
    const head = await headObject(s3, r.bucket, r.key);
    expect(head.ContentLength).toBe(object.length);
    expect(head.Metadata).toEqual({
      'openbao-cluster': 'c1',
      'openbao-namespace': 'ns1',
      'openbao-raft-index': '31337',
      'openbao-raft-term': '5',
      'openbao-state-sha256': served.stateSha256,
      'executor-version': expect.stringMatching(/^\d+\.\d+\.\d+/),
    });
    // no secret in any log line
    const allLogs = logs.join('');
    expect(allLogs).not.toContain(readFileSync(r.env.JWT_TOKEN_PATH, 'utf8'));
    expect(allLogs).not.toContain('testing');
    expect(allLogs).not.toMatch(/"s\.[A-Za-z0-9_-]{10,}/);
  });

  it('backs up a multipart snapshot with token auth, unsealed cluster, and applies partSize', async () => {
    const r = await run(
      {
        snapshot: {
          stateSize: 24 * MiB,
          index: 9,
          term: 1,
          sealed: false,
          compressionLevel: 1,
        },
      },
      {
        auth: { method: 'token', token: 'static-token' },
        env: { BACKUP_STATE_CHECKSUM_METADATA: 'copy' },
      },
    );
    expect(r.report.error).toBeNull();
    expect(r.exitCode).toBe(0);
    expect(r.report.size).toBeGreaterThan(10 * MiB); // ≥ 3 parts of 5 MiB
    expect(r.report.sealedChecksums).toBe(false);
    const object = await objectBytes(s3, r.bucket, r.key);
    expect(sha256(object)).toBe(r.report.sha256);
    expect(sha256(object)).toBe(sha256(await fetchDirect(cluster!)));
    const head = await headObject(s3, r.bucket, r.key);
    expect(head.Metadata?.['openbao-state-sha256']).toBe(r.report.stateSha256);
    expect(head.Metadata?.['openbao-raft-index']).toBe('9');
    // Swift reports a multipart object's ETag as "<md5>-<parts>"
    expect(head.ETag).toMatch(/-[3-9]"$/);
    expect(logs.join('')).not.toContain('static-token'); // the token file's content is never logged
    await expect(leftovers(s3, r.bucket)).resolves.toEqual({
      objects: [r.key],
      uploads: [],
    });
  });

  it('by default leaves the state checksum out of a multipart object (no self-copy)', async () => {
    const r = await run({
      snapshot: { stateSize: 24 * MiB, compressionLevel: 1 },
    });
    expect(r.report.error).toBeNull();
    expect(r.report.stateSha256).toMatch(/^[0-9a-f]{64}$/);
    const head = await headObject(s3, r.bucket, r.key);
    expect(head.Metadata?.['openbao-state-sha256']).toBeUndefined();
    expect(head.Metadata?.['openbao-raft-index']).toBe('4242'); // the double's default index
  });

  it('verifies the pod certificates with TLS_CA_PATH', async () => {
    const r = await run({ tls: true });
    expect(r.report.error).toBeNull();
    expect(r.exitCode).toBe(0);
    expect(r.env.OPENBAO_ADDRESSES).toMatch(/^https:/);
  });

  it.each([
    ['JWT', {}, 'no OpenBao pod could serve the JWT login'],
    [
      'token',
      { auth: { method: 'token' as const, token: 'static-token' } },
      'no active OpenBao pod after 2 attempt(s)',
    ],
  ])(
    'BACKUP_INSECURE_SKIP_VERIFY does not apply to OpenBao: without TLS_CA_PATH the pods are refused (%s → exit 3)',
    async (_, harness, message) => {
      const r = await run(
        { tls: true },
        {
          ...harness,
          env: { TLS_CA_PATH: '', BACKUP_INSECURE_SKIP_VERIFY: 'true' },
        },
      );
      expect(r.exitCode).toBe(3);
      expect(r.report).toMatchObject({ ok: false, stage: 'leader' });
      expect(r.report.error).toContain(message);
      expect(r.report.error).toContain(
        'UNABLE_TO_VERIFY_LEAF_SIGNATURE: unable to verify the first certificate',
      );
      expect(r.report.error).toMatch(
        /; set TLS_CA_PATH to the CA of the OpenBao pods \(BACKUP_INSECURE_SKIP_VERIFY applies to storage only\)$/,
      );
      expect(cluster!.snapshots).toEqual([]); // no snapshot was ever requested
      await expectNothingLeft(r.bucket);
    },
  );

  it('follows a 307 from a standby to the new leader', async () => {
    cluster = await startOpenBaoCluster(clusterOptions);
    const bucket = await createTestBucket(s3);
    const { env, key } = executorEnv({ cluster, bucket });
    const c = cluster;
    const moveLeader = {
      name: 'leader' as const,
      exitCode: 3,
      run: async (ctx: any) => {
        c.setLeader(2);
        return ctx;
      },
    };
    const stages = [
      ...defaultStages.slice(0, 3),
      moveLeader,
      ...defaultStages.slice(3),
    ];
    const result = await runPipeline(stages, {
      deps: {
        env,
        log: createLogger(() => {}),
        exists: existsSync,
        readFile: async (p: string) => readFileSync(p, 'utf8'),
        now: Date.now,
      },
      signal: new AbortController().signal,
      startedAt: Date.now(),
      currentStage: 'config',
      timings: {},
    });
    expect(result).toMatchObject({ ok: true, exitCode: 0 });
    expect(result.ctx.upload?.sourceUrl).toBe(
      `${cluster.addresses[2]}/v1/sys/storage/raft/snapshot`,
    );
    expect((await leftovers(s3, bucket)).objects).toEqual([key]);
    result.ctx.openbao?.close();
  });

  describe('failures leave no object and no multipart upload', () => {
    // big enough for a multipart upload to be in progress when the fault hits
    const multipart = {
      snapshot: { stateSize: 24 * MiB, compressionLevel: 1 },
    };

    it.each<
      [
        string,
        OpenBaoClusterOptions,
        Omit<HarnessOptions, 'cluster' | 'bucket'>,
        number,
        string,
        string,
      ]
    >([
      [
        'wrong JWT role → exit 2',
        {},
        { auth: { method: 'jwt', role: 'nope' } },
        2,
        'auth',
        'role "nope" could not be found',
      ],
      [
        'JWT for another service account → exit 2',
        {},
        { auth: { method: 'jwt', serviceAccount: 'intruder' } },
        2,
        'auth',
        'bound claim',
      ],
      [
        'token without the snapshot policy → exit 2',
        {},
        { auth: { method: 'token', token: 'weak-token' } },
        2,
        'auth',
        'permission denied',
      ],
      [
        'no leader (JWT) → exit 3',
        { faults: { noLeader: true } },
        {},
        3,
        'leader',
        'no OpenBao pod could serve the JWT login',
      ],
      [
        'no leader (token) → exit 3',
        { faults: { noLeader: true } },
        { auth: { method: 'token', token: 'static-token' } },
        3,
        'leader',
        'no active OpenBao pod after 2 attempt(s)',
      ],
      [
        'all pods sealed → exit 3',
        {},
        { auth: { method: 'token', token: 'static-token' } },
        3,
        'leader',
        'sealed (HTTP 503)',
      ],
      [
        'redirect to a foreign host → exit 3',
        { faults: { redirectTo: 'http://evil.example:8200' } },
        {},
        3,
        'leader',
        'http://evil.example:8200, which is not in OPENBAO_ADDRESSES, refused',
      ],
      [
        'connection reset mid-stream → exit 4',
        { ...multipart, faults: { truncateAfterBytes: 7 * MiB } },
        {},
        4,
        'stream',
        'broke after',
      ],
      [
        'leader change mid-stream → exit 4',
        { ...multipart, faults: { leaderChangeAfterBytes: 6 * MiB } },
        {},
        4,
        'stream',
        'broke after',
      ],
      [
        'stalled stream (idle timeout) → exit 4',
        { ...multipart, faults: { stallAfterBytes: 6 * MiB } },
        { env: { OPENBAO_IDLE_TIMEOUT_SECONDS: '1' } },
        4,
        'stream',
        'no data from',
      ],
      [
        'body ends early (truncated gzip) → exit 6',
        {
          ...multipart,
          faults: { truncateAfterBytes: 7 * MiB, truncateMode: 'end' },
        },
        {},
        6,
        'verify',
        'not valid gzip',
      ],
      [
        'wrong checksum → exit 6',
        { ...multipart, faults: { wrongChecksum: true } },
        {},
        6,
        'verify',
        'state.bin checksum mismatch',
      ],
      [
        'missing SHA256SUMS → exit 6',
        { faults: { omitChecksums: true } },
        {},
        6,
        'verify',
        'no SHA256SUMS',
      ],
      [
        'trailing garbage → exit 6',
        { faults: { trailingGarbage: true } },
        {},
        6,
        'verify',
        'not valid gzip',
      ],
      [
        'wrong S3 secret → exit 5',
        {},
        { s3Secret: 'wrong' },
        5,
        'stream',
        'upload to s3://',
      ],
    ])('%s', async (name, options, harness, exitCode, stage, message) => {
      const sealAll = (c: OpenBaoClusterHandle) =>
        name.startsWith('all pods sealed') &&
        [0, 1, 2].forEach(i => c.setSealed(i, true));
      const r = await run(options, harness, undefined, sealAll);
      expect(r.exitCode).toBe(exitCode);
      expect(r.report).toMatchObject({
        ok: false,
        stage,
        key: r.key,
        size: null,
        sha256: null,
        error: expect.stringContaining(message),
      });
      // where the fault hits mid-upload, parts had gone out (stored, or cancelled in flight)
      // before the abort
      const abandoned = logs
        .map(l => JSON.parse(l))
        .find(l => l.msg === 'upload abandoned');
      const minParts = options.snapshot === multipart.snapshot ? 1 : 0;
      expect(abandoned?.partsSent ?? 0).toBeGreaterThanOrEqual(minParts);
      await expectNothingLeft(r.bucket);
    });

    it('missing bucket → exit 5', async () => {
      const r = await run({}, {}, `missing-${Date.now()}`);
      expect(r.exitCode).toBe(5);
      expect(r.report).toMatchObject({
        ok: false,
        stage: 'stream',
        error: expect.stringContaining('NoSuchBucket'),
      });
    });
  });
});
