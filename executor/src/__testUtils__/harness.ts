import { spawn } from 'node:child_process';
import { mkdtempSync, mkdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { OpenBaoClusterHandle } from '@internal/openbao-backup-sandbox';
import { S3_TEST_ENDPOINT, S3_TEST_KEY, S3_TEST_SECRET } from './s3';

export interface HarnessOptions {
  cluster: OpenBaoClusterHandle;
  bucket: string;
  key?: string;
  auth?:
    | {
        method: 'jwt';
        role?: string;
        namespace?: string;
        serviceAccount?: string;
        audience?: string;
      }
    | { method: 'token'; token: string };
  s3Secret?: string;
  env?: Record<string, string>;
}

/** Materialises the Job's mounts in a temp dir, the way the sandbox's Job runner does. */
export function executorEnv(o: HarnessOptions): {
  env: Record<string, string>;
  dir: string;
  key: string;
} {
  const dir = mkdtempSync(join(tmpdir(), 'executor-test-'));
  const key =
    o.key ??
    `backups/ns1/c1/2026-11-25T09-00-00Z-${Math.random()
      .toString(16)
      .slice(2, 10)}.snap`;
  mkdirSync(join(dir, 'credentials'));
  writeFileSync(join(dir, 'credentials/accessKeyId'), `${S3_TEST_KEY}\n`);
  writeFileSync(
    join(dir, 'credentials/secretAccessKey'),
    `${o.s3Secret ?? S3_TEST_SECRET}\n`,
  );
  const env: Record<string, string> = {
    CLUSTER_NAMESPACE: 'ns1',
    CLUSTER_NAME: 'c1',
    OPENBAO_ADDRESSES: o.cluster.addresses.join(','),
    BACKUP_ENDPOINT: S3_TEST_ENDPOINT,
    BACKUP_BUCKET: o.bucket,
    BACKUP_KEY: key,
    BACKUP_REGION: 'us-east-1',
    BACKUP_USE_PATH_STYLE: 'true',
    BACKUP_PART_SIZE: String(5 * 1024 * 1024),
    BACKUP_CONCURRENCY: '2',
    BACKUP_CREDENTIALS_PATH: join(dir, 'credentials'),
    TERMINATION_LOG_PATH: join(dir, 'termination-log'),
    OPENBAO_LEADER_ATTEMPTS: '2',
    PATH: process.env.PATH ?? '',
  };
  if (o.cluster.caCertPem) {
    writeFileSync(join(dir, 'ca.crt'), o.cluster.caCertPem);
    env.TLS_CA_PATH = join(dir, 'ca.crt');
  }
  const auth = o.auth ?? { method: 'jwt' };
  if (auth.method === 'jwt') {
    writeFileSync(
      join(dir, 'openbao-token'),
      o.cluster.issueJwt({
        namespace: auth.namespace ?? 'ns1',
        serviceAccount: auth.serviceAccount ?? 'c1-backup',
        audience: auth.audience,
      }),
    );
    Object.assign(env, {
      BACKUP_AUTH_METHOD: 'jwt',
      BACKUP_JWT_AUTH_ROLE: auth.role ?? 'backup',
      JWT_TOKEN_PATH: join(dir, 'openbao-token'),
    });
  } else {
    writeFileSync(join(dir, 'token'), `${auth.token}\n`);
    Object.assign(env, {
      BACKUP_AUTH_METHOD: 'token',
      BACKUP_TOKEN_PATH: join(dir, 'token'),
    });
  }
  return { env: { ...env, ...o.env }, dir, key };
}

/** Runs a command, collecting its output; `exited` resolves once it has exited and its output ended. */
export function spawnCollecting(
  cmd: string,
  args: string[],
  env?: Record<string, string>,
) {
  const child = spawn(cmd, args, { env, stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  child.stdout!.on('data', d => (stdout += d));
  child.stderr!.on('data', d => (stderr += d));
  const exited = new Promise<{
    code: number | null;
    stdout: string;
    stderr: string;
  }>(resolve => child.on('close', code => resolve({ code, stdout, stderr })));
  return { child, exited };
}
