import { ChildProcess, execFileSync, spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  GetObjectCommand,
  HeadObjectCommand,
  S3Client,
} from '@aws-sdk/client-s3';
import { mockServices } from '@backstage/backend-test-utils';
import { parse } from 'yaml';
import { ClientNodeKubeGateway } from '../adapters/ClientNodeKubeGateway';
import { objectStoreFor } from '../adapters/objectStoreFor';
import { TRIGGER_BACKUP_ANNOTATION } from '@internal/plugin-openbao-backup-common';
import { Reconciler } from './Reconciler';

/**
 * The demo as `sandbox up --embedded-s3-port 0` starts it when no Swift can be had: the launcher
 * bundle with the in-process S3 store, three OpenBao doubles and the two Kubernetes API doubles
 * whose Job runner runs the real executor. The Reconciler backs up bao-prod into that store, and the
 * backend's retention DeleteObjects (with Content-MD5) works there.
 */
const REPO = join(__dirname, '../../../..');

describe('the demo on the embedded S3 store', () => {
  let launcher: ChildProcess;
  let endpoint: string;
  let gateway: ClientNodeKubeGateway;
  let reconciler: Reconciler;
  let kubernetesClusters: string[];

  beforeAll(async () => {
    // Always rebuild the launcher (≈1 s) so the test runs the current code.
    execFileSync(process.execPath, [
      join(REPO, 'packages/sandbox/scripts/build.mjs'),
    ]);
    if (!existsSync(join(REPO, 'executor/dist/executor.js'))) {
      execFileSync(process.execPath, [
        join(REPO, 'executor/scripts/build.mjs'),
      ]);
    }
    const config = join(
      mkdtempSync(join(tmpdir(), 'demo-embedded-')),
      'app-config.yaml',
    );
    launcher = spawn(
      process.execPath,
      [
        'packages/sandbox/bin/sandbox.js',
        'up',
        '--config',
        config,
        '--embedded-s3-port',
        '0',
      ],
      { cwd: REPO, stdio: ['ignore', 'pipe', 'pipe'] },
    );
    let out = '';
    await new Promise<void>((resolve, reject) => {
      launcher.stdout!.on('data', c => {
        out += c;
        if (out.includes('sandbox: ready')) resolve();
      });
      launcher.stderr!.on('data', c => (out += c));
      launcher.on('exit', code =>
        reject(new Error(`launcher exited ${code}: ${out}`)),
      );
    });
    endpoint = /embedded S3 store .* at (http:\S+)/.exec(out)![1];
    // Two Kubernetes clusters, as the demo's catalog names them; bao-prod is on kind-east.
    const clusters = parse(readFileSync(config, 'utf8')).openbaoBackup
      .kubernetes.clusters;
    kubernetesClusters = clusters.map((c: { name: string }) => c.name);
    const cluster = clusters[0];
    gateway = ClientNodeKubeGateway.create({
      ...cluster,
      authProvider: 'serviceAccount',
    });
    reconciler = Reconciler.create({
      gateways: [gateway],
      openStore: objectStoreFor,
      logger: mockServices.logger.mock(),
      jobSettings: { allowAddressOverride: true },
    });
  }, 60_000);

  afterAll(async () => {
    if (launcher?.exitCode === null) {
      const exited = new Promise(r => launcher.once('exit', r));
      launcher.kill('SIGTERM');
      await exited;
    }
  });

  it('stores a verified backup of bao-prod there, and retention deletes it', async () => {
    expect(kubernetesClusters).toEqual(['kind-east', 'kind-west']);
    await gateway.setClusterAnnotation(
      'openbao',
      'bao-prod',
      TRIGGER_BACKUP_ANNOTATION,
      'embedded-store',
    );
    let backup;
    const deadline = Date.now() + 45_000;
    for (;;) {
      expect((await reconciler.tick()).errors).toEqual([]);
      backup = (await gateway.getCluster('openbao', 'bao-prod'))!.status
        ?.backup;
      if (backup?.observedTrigger === 'embedded-store' && !backup.activeJob)
        break;
      if (Date.now() > deadline)
        throw new Error(`no backup after 45 s: ${JSON.stringify(backup)}`);
      await new Promise(r => setTimeout(r, 500));
    }
    expect(backup.consecutiveFailures ?? 0).toBe(0);
    const key = backup.lastBackupName!;

    const s3 = new S3Client({
      endpoint,
      region: 'us-east-1',
      forcePathStyle: true,
      credentials: { accessKeyId: 'test:tester', secretAccessKey: 'testing' },
    });
    const object = await s3.send(
      new GetObjectCommand({ Bucket: 'openbao-backups', Key: key }),
    );
    const bytes = Buffer.from(await object.Body!.transformToByteArray());
    expect({
      size: bytes.length,
      sha256: createHash('sha256').update(bytes).digest('hex'),
    }).toEqual({
      size: backup.lastBackupSize,
      sha256: backup.lastBackupSha256,
    });
    const head = await s3.send(
      new HeadObjectCommand({ Bucket: 'openbao-backups', Key: key }),
    );
    expect(head.Metadata).toEqual(
      expect.objectContaining({
        'openbao-cluster': 'bao-prod',
        'openbao-namespace': 'openbao',
        'openbao-raft-index': String(backup.lastBackupRaftIndex),
        'openbao-state-sha256': expect.stringMatching(/^[0-9a-f]{64}$/),
      }),
    );

    // Retention's path: list the prefix, DeleteObjects with Content-MD5.
    const cluster = (await gateway.getCluster('openbao', 'bao-prod'))!;
    const store = await objectStoreFor(gateway, cluster);
    const prefix = 'openbao/openbao/bao-prod/';
    expect((await store.list(prefix)).map(o => o.key)).toContain(key);
    const missing = `${prefix}2000-01-01T00-00-00Z-00000000.snap`;
    expect(await store.deleteMany([key, missing])).toEqual({
      deleted: expect.arrayContaining([key]),
      errors: [],
    });
    expect((await store.list(prefix)).map(o => o.key)).not.toContain(key);
    // No ListMultipartUploads in this store: an empty list, not an error.
    expect(await store.listPendingUploads(prefix)).toEqual([]);
  }, 60_000);
});
