import { execFileSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DeleteObjectCommand } from '@aws-sdk/client-s3';
import { startOpenBaoCluster } from '@internal/openbao-backup-sandbox';
import { executorEnv, spawnCollecting } from './__testUtils__/harness';
import { startFaultProxy } from '@internal/openbao-backup-sandbox';
import {
  assertS3Reachable,
  createTestBucket,
  headObject,
  S3_TEST_ENDPOINT,
  S3_TEST_KEY,
  S3_TEST_SECRET,
  testS3Client,
} from './__testUtils__/s3';
import { startStsStub } from './__testUtils__/stsStub';

jest.setTimeout(60_000);

/**
 * Web identity for real: the built bundle as a child process (the SDK reads its environment),
 * credentials from AssumeRoleWithWebIdentity at a local STS stub (AWS_ENDPOINT_URL_STS), the
 * backup into Swift through a recording proxy. Swift's s3api accepts and ignores
 * x-amz-security-token, so the proxy checks the S3 requests carried the STS-issued session token.
 */
describe('web identity (AWS_ROLE_ARN + AWS_WEB_IDENTITY_TOKEN_FILE)', () => {
  beforeAll(async () => {
    await assertS3Reachable();
    execFileSync(process.execPath, [join(__dirname, '../scripts/build.mjs')], {
      stdio: 'pipe',
    });
  });

  it('gets its S3 credentials from AssumeRoleWithWebIdentity and backs up with them', async () => {
    const sessionToken = `sts-session-${Date.now()}`;
    const sts = await startStsStub({
      accessKeyId: S3_TEST_KEY,
      secretAccessKey: S3_TEST_SECRET,
      sessionToken,
    });
    const tokens: (string | undefined)[] = [];
    // forwards everything, recording the session token each S3 request carried
    const proxy = await startFaultProxy({
      target: S3_TEST_ENDPOINT,
      mode: 'http',
      onRequest: req => {
        tokens.push(req.headers['x-amz-security-token'] as string | undefined);
        return undefined;
      },
    });
    const cluster = await startOpenBaoCluster({
      snapshot: { stateSize: 12 * 1024 * 1024, compressionLevel: 1 },
      tokens: { t: ['snapshot'] },
    });
    try {
      const s3 = testS3Client();
      const bucket = await createTestBucket(s3, 'webid');
      const { env, key } = executorEnv({
        cluster,
        bucket,
        auth: { method: 'token', token: 't' },
      });
      // no static keys anywhere: only the projected token
      const dir = mkdtempSync(join(tmpdir(), 'executor-webid-'));
      const projected = `eyJhbGciOiJSUzI1NiJ9.projected-${Date.now()}.sig`;
      writeFileSync(join(dir, 'aws-token'), projected);
      const roleArn = 'arn:aws:iam::123456789012:role/openbao-backup';
      const run = spawnCollecting(
        process.execPath,
        [join(__dirname, '../dist/executor.js')],
        {
          ...env,
          HOME: dir, // no ~/.aws config from the machine
          BACKUP_ENDPOINT: proxy.url,
          BACKUP_CREDENTIALS_PATH: join(dir, 'credentials'),
          AWS_ROLE_ARN: roleArn,
          AWS_WEB_IDENTITY_TOKEN_FILE: join(dir, 'aws-token'),
          AWS_ROLE_SESSION_NAME: 'openbao-backup-test',
          AWS_REGION: 'us-east-1',
          AWS_ENDPOINT_URL_STS: sts.url,
        },
      );
      const { code, stdout, stderr } = await run.exited;
      const report = JSON.parse(stdout.trim());
      expect(report.error).toBeNull();
      expect(code).toBe(0);
      expect(stderr).toContain('"credentials":"webIdentity"');
      expect(sts.requests).toHaveLength(1);
      expect(sts.requests[0]).toMatchObject({
        Action: 'AssumeRoleWithWebIdentity',
        RoleArn: roleArn,
        RoleSessionName: 'openbao-backup-test',
        WebIdentityToken: projected,
      });
      // every S3 request was signed with the STS-issued credentials
      expect(tokens.length).toBeGreaterThanOrEqual(4); // create, 2+ parts, complete, head
      expect(new Set(tokens)).toEqual(new Set([sessionToken]));
      expect(stderr).not.toContain(sessionToken);
      expect(stderr).not.toContain(projected);
      expect((await headObject(s3, bucket, key)).ContentLength).toBe(
        report.size,
      );
      await s3.send(new DeleteObjectCommand({ Bucket: bucket, Key: key }));
    } finally {
      await cluster.stop();
      await proxy.stop();
      await sts.stop();
    }
  });
});
