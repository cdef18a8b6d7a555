/*
 * Fault suite, bad input: malformed OpenBaoClusters applied through the Kubernetes API double and
 * reconciled by the real Reconciler in one pass next to healthy clusters. Each malformed cluster must
 * end with BackupConfigValid=False and one Warning Event that name the field, and no Job; the healthy
 * ones get their Jobs in that same pass and their runs end in success (the double's Job controller
 * and kubelet run them with a stand-in executor), and a later pass adds no Event (no storm).
 */
import { mockServices } from '@backstage/backend-test-utils';
import {
  KubeApi,
  kubeRequest,
  recordFaultCase,
  startKubeApi,
} from '@internal/openbao-backup-sandbox';
import { ClientNodeKubeGateway } from '../adapters/ClientNodeKubeGateway';
import { objectStoreFor } from '../adapters/objectStoreFor';
import { validateBackupSpec } from '../core';
import { Reconciler } from '../reconcile/Reconciler';
import { S3_CREDENTIALS, createBucket } from '../__testUtils__/sandbox';
import {
  backupClusterManifest,
  createRunningCluster,
  executorDouble,
} from '../__testUtils__/backupClusters';
import { judge } from '../__testUtils__/faultHarness';

const NS = 'vault';
const bucket = `bad-input-${Date.now().toString(36)}`;
const crs = `/apis/openbao.org/v1alpha1/namespaces/${NS}/openbaoclusters`;
const TRIGGER = 'openbao.org/trigger-backup';

/** A valid spec, fresh on each call (the cases change it). */
const healthySpec = (): any =>
  backupClusterManifest({
    name: 'healthy',
    bucket,
    backup: { schedule: '0 * * * *', retention: { maxCount: 3 } },
  }).spec;

interface BadCase {
  /** Case name; also the cluster's name unless `clusterName` is set. */
  name: string;
  /** The field the condition and Event must name. */
  field: string;
  /** What the message must also say (how to fix it). */
  says: RegExp;
  change?: (spec: any) => void;
  clusterName?: string;
  /** Also ask for a manual run: it must be refused, and the annotation cleared. */
  trigger?: boolean;
}

const GIB = 1024 * 1024 * 1024;
const CASES: BadCase[] = [
  {
    name: 'cron-words',
    field: 'spec.backup.schedule',
    says: /cron|schedule/i,
    change: s => (s.backup.schedule = 'every hour'),
  },
  {
    name: 'cron-minute-61',
    field: 'spec.backup.schedule',
    says: /61|range|invalid/i,
    change: s => (s.backup.schedule = '61 * * * *'),
  },
  {
    name: 'cron-empty',
    field: 'spec.backup.schedule',
    says: /5-field cron/,
    change: s => (s.backup.schedule = '   '),
  },
  {
    name: 'cron-missing',
    field: 'spec.backup.schedule',
    says: /5-field cron/,
    change: s => delete s.backup.schedule,
  },
  {
    name: 'cron-unicode-digits',
    field: 'spec.backup.schedule',
    says: /０/,
    change: s => (s.backup.schedule = '０ * * * *'),
  },
  {
    name: 'tz-invalid',
    field: 'spec.backup.timeZone',
    says: /Mars\/Olympus/,
    change: s => (s.backup.timeZone = 'Mars/Olympus'),
  },
  {
    name: 'cron-tz-garbage',
    field: 'spec.backup.schedule',
    says: /Not\/AZone/,
    change: s => (s.backup.schedule = 'CRON_TZ=Not/AZone 0 * * * *'),
  },
  {
    name: 'cron-tz-without-cron',
    field: 'spec.backup.schedule',
    says: /no cron expression/,
    change: s => (s.backup.schedule = 'CRON_TZ=Europe/Berlin'),
  },
  {
    name: 'cron-tz-conflicts',
    field: 'spec.backup.schedule',
    says: /only one place/,
    change: s => {
      s.backup.schedule = 'CRON_TZ=Europe/Berlin 0 * * * *';
      s.backup.timeZone = 'Asia/Tokyo';
    },
  },
  {
    name: 'name-80-chars',
    clusterName: `b${'a'.repeat(79)}`,
    field: 'metadata.name',
    says: /at most 63 characters/,
  },
  {
    name: 'name-with-dot',
    clusterName: 'bao.prod',
    field: 'metadata.name',
    says: /DNS label/,
  },
  {
    name: 'name-leading-digit',
    clusterName: '9bao',
    field: 'metadata.name',
    says: /starting with a letter/,
  },
  {
    name: 'target-missing',
    field: 'spec.backup.target',
    says: /target.bucket/,
    change: s => delete s.backup.target,
    trigger: true,
  },
  {
    name: 'bucket-missing',
    field: 'spec.backup.target.bucket',
    says: /required/,
    change: s => delete s.backup.target.bucket,
  },
  {
    name: 'bucket-unicode',
    field: 'spec.backup.target.bucket',
    says: /not a valid bucket name/,
    change: s => (s.backup.target.bucket = 'bückets'),
  },
  {
    name: 'credentials-secret-missing',
    field: 'spec.backup.target.credentialsSecretRef',
    says: /"nope" not found/,
    change: s => (s.backup.target.credentialsSecretRef = { name: 'nope' }),
  },
  {
    name: 'credentials-secret-lacks-secret-key',
    field: 'spec.backup.target.credentialsSecretRef',
    says: /lacks key secretAccessKey/,
    change: s => (s.backup.target.credentialsSecretRef = { name: 's3-half' }),
  },
  {
    name: 'credentials-secret-lacks-both-keys',
    field: 'spec.backup.target.credentialsSecretRef',
    says: /lacks keys accessKeyId, secretAccessKey/,
    change: s => (s.backup.target.credentialsSecretRef = { name: 's3-empty' }),
  },
  {
    name: 'no-credentials',
    field: 'spec.backup.target.credentialsSecretRef',
    says: /roleArn/,
    change: s => delete s.backup.target.credentialsSecretRef,
  },
  {
    name: 'role-arn-and-secret',
    field: 'spec.backup.target',
    says: /not both/,
    change: s => (s.backup.target.roleArn = 'arn:aws:iam::1:role/backup'),
  },
  {
    name: 'role-arn-garbage',
    field: 'spec.backup.target.roleArn',
    says: /not an ARN/,
    change: s => {
      delete s.backup.target.credentialsSecretRef;
      s.backup.target.roleArn = 'backup-role';
    },
  },
  {
    name: 'token-secret-lacks-token',
    field: 'spec.backup.tokenSecretRef',
    says: /lacks key token/,
    change: s => {
      delete s.backup.jwtAuthRole;
      s.backup.tokenSecretRef = { name: 's3' };
    },
  },
  {
    name: 'retention-negative',
    field: 'spec.backup.retention.maxCount',
    says: /integer ≥ 1, got -1/,
    change: s => (s.backup.retention = { maxCount: -1 }),
    trigger: true,
  },
  {
    name: 'retention-nan',
    field: 'spec.backup.retention.maxCount',
    says: /got "NaN"/,
    change: s => (s.backup.retention = { maxCount: 'NaN' }),
  },
  {
    name: 'retention-zero',
    field: 'spec.backup.retention.maxCount',
    says: /got 0/,
    change: s => (s.backup.retention = { maxCount: 0 }),
  },
  {
    name: 'retention-fraction',
    field: 'spec.backup.retention.maxCount',
    says: /got 2.5/,
    change: s => (s.backup.retention = { maxCount: 2.5 }),
  },
  {
    name: 'max-age-words',
    field: 'spec.backup.retention.maxAge',
    says: /forever/,
    change: s => (s.backup.retention = { maxAge: 'forever' }),
  },
  {
    name: 'max-age-negative',
    field: 'spec.backup.retention.maxAge',
    says: /-1d/,
    change: s => (s.backup.retention = { maxAge: '-1d' }),
  },
  {
    name: 'part-size-too-small',
    field: 'spec.backup.target.partSize',
    says: /5 MiB/,
    change: s => (s.backup.target.partSize = 1024),
  },
  {
    name: 'part-size-too-large',
    field: 'spec.backup.target.partSize',
    says: /5 GiB/,
    change: s => (s.backup.target.partSize = 6 * GIB),
  },
  {
    name: 'concurrency-zero',
    field: 'spec.backup.target.concurrency',
    says: /from 1 to 16, got 0/,
    change: s => (s.backup.target.concurrency = 0),
  },
  {
    name: 'concurrency-string',
    field: 'spec.backup.target.concurrency',
    says: /got "4"/,
    change: s => (s.backup.target.concurrency = '4'),
  },
  {
    name: 'both-auth',
    field: 'spec.backup',
    says: /either jwtAuthRole or tokenSecretRef, not both/,
    change: s => (s.backup.tokenSecretRef = { name: 'bao-token' }),
    trigger: true,
  },
  {
    name: 'neither-auth',
    field: 'spec.backup.jwtAuthRole',
    says: /set jwtAuthRole \(recommended\) or tokenSecretRef/,
    change: s => delete s.backup.jwtAuthRole,
  },
  {
    name: 'jwt-mount-traversal',
    field: 'spec.backup.jwtAuthMount',
    says: /not a mount path/,
    change: s => (s.backup.jwtAuthMount = '../sys'),
  },
  {
    name: 'endpoint-without-scheme',
    field: 'spec.backup.target.endpoint',
    says: /https:\/\/s3\.example\.com/,
    change: s => (s.backup.target.endpoint = 's3.example.com'),
  },
  {
    name: 'endpoint-ftp',
    field: 'spec.backup.target.endpoint',
    says: /not an http\(s\) URL/,
    change: s => (s.backup.target.endpoint = 'ftp://s3.example.com'),
  },
  {
    name: 'endpoint-with-credentials',
    field: 'spec.backup.target.endpoint',
    says: /credentialsSecretRef/,
    change: s =>
      (s.backup.target.endpoint =
        'https://AKIAEXAMPLE:url-password-canary@s3.example.com'),
  },
  {
    name: 'image-empty',
    field: 'spec.backup.executorImage',
    says: /required/,
    change: s => (s.backup.executorImage = ''),
  },
  {
    name: 'image-whitespace',
    field: 'spec.backup.executorImage',
    says: /whitespace/,
    change: s => (s.backup.executorImage = 'openbao-backup-executor :dev'),
  },
  {
    name: 'verification-without-key',
    field: 'spec.imageVerification',
    says: /publicKey/,
    change: s => {
      s.backup.executorImage = `openbao-backup-executor@sha256:${'a'.repeat(
        64,
      )}`;
      s.imageVerification = { enabled: true };
    },
  },
  {
    name: 'deadline-zero',
    field: 'spec.backup.activeDeadlineSeconds',
    says: /got 0/,
    change: s => (s.backup.activeDeadlineSeconds = 0),
  },
  {
    name: 'replicas-zero',
    field: 'spec.replicas',
    says: /≥ 1, got 0/,
    change: s => (s.replicas = 0),
  },
  {
    name: 'backup-not-an-object',
    field: 'spec.backup',
    says: /must be an object/,
    change: s => (s.backup = 'yes'),
  },
];

const HEALTHY = ['good-jwt', 'good-token'];
/** How long the stand-in executor of a healthy cluster's run takes. */
const JOB_MS = 200;

describe('fault suite: malformed OpenBaoClusters next to healthy ones', () => {
  let api: KubeApi;
  let reconciler: Reconciler;
  const logger = mockServices.logger.mock();
  const kube = (method: string, path: string, body?: object) =>
    kubeRequest(api, method, path, body);

  const apply = (name: string, spec: any, trigger?: string) =>
    createRunningCluster(kube, NS, {
      ...backupClusterManifest({
        name,
        bucket,
        annotations: trigger ? { [TRIGGER]: trigger } : undefined,
      }),
      spec,
    });

  beforeAll(async () => {
    await createBucket(bucket);
    api = await startKubeApi({
      namespaces: [NS],
      podExecutor: executorDouble(JOB_MS),
      tls: true,
    });
    const secrets: Record<string, Record<string, string>> = {
      s3: S3_CREDENTIALS,
      's3-half': { accessKeyId: S3_CREDENTIALS.accessKeyId },
      's3-empty': { region: 'us-east-1' },
      'bao-token': { token: 's.bad-input-token' },
    };
    for (const [name, stringData] of Object.entries(secrets)) {
      await kube('POST', `/api/v1/namespaces/${NS}/secrets`, {
        metadata: { name },
        stringData,
      });
    }
    // Healthy clusters ask for a manual run: the pass must create their Jobs.
    await apply('good-jwt', healthySpec(), 'go-1');
    const token = healthySpec();
    delete token.backup.jwtAuthRole;
    token.backup.tokenSecretRef = { name: 'bao-token' };
    await apply('good-token', token, 'go-1');
    for (const c of CASES) {
      const spec = healthySpec();
      c.change?.(spec);
      await apply(c.clusterName ?? c.name, spec, c.trigger ? 'go-1' : '');
    }
    reconciler = Reconciler.create({
      gateways: [
        ClientNodeKubeGateway.create({
          name: 'sandbox',
          url: api.url,
          caData: api.caData,
          serviceAccountToken: api.token,
          skipTLSVerify: false,
          authProvider: 'serviceAccount',
        }),
      ],
      openStore: objectStoreFor,
      logger,
    });
  }, 60_000);
  afterAll(() => api?.stop());

  const eventsOf = async (name: string) =>
    (
      await kube(
        'GET',
        `/api/v1/namespaces/${NS}/events?fieldSelector=involvedObject.name=${name}`,
      )
    ).items;
  const jobClusters = async () =>
    (await kube('GET', `/apis/batch/v1/namespaces/${NS}/jobs`)).items.map(
      (j: any) => j.metadata.labels['openbao.org/cluster'],
    );

  it(`reconciles ${CASES.length} malformed and ${HEALTHY.length} healthy clusters in one pass: Jobs only for the healthy`, async () => {
    const report = await reconciler.tick();
    expect(report.clusters).toBe(CASES.length + HEALTHY.length);
    expect(report.errors).toEqual([]);
    expect((await jobClusters()).sort()).toEqual(HEALTHY);
    for (const name of HEALTHY) {
      const cr = await kube('GET', `${crs}/${name}`);
      expect(cr.status.backup.activeJob).toMatch(/^backup-good-/);
      expect(cr.metadata.annotations?.[TRIGGER]).toBeUndefined();
    }
  });

  it("the healthy clusters' runs end in success, recorded", async () => {
    // Passes until both runs have an outcome (success or not: the checks below tell which).
    const ended = async () => {
      const healthy = await Promise.all(
        HEALTHY.map(name => kube('GET', `${crs}/${name}`)),
      );
      return healthy.every(cr => !cr.status.backup.activeJob) ? healthy : [];
    };
    let done: any[] = [];
    const started = Date.now();
    for (let passes = 0; !done.length; passes++) {
      if (passes === 100) throw new Error('the healthy runs never ended');
      await new Promise(r => setTimeout(r, JOB_MS));
      const report = await reconciler.tick();
      expect(report.errors).toEqual([]);
      done = await ended();
    }
    // eslint-disable-next-line no-console
    console.log(`healthy runs recorded after ${Date.now() - started} ms`);
    const jobs = (await kube('GET', `/apis/batch/v1/namespaces/${NS}/jobs`))
      .items;
    for (const cr of done) {
      const name = cr.metadata.name;
      const b = cr.status.backup;
      const job = jobs.find(
        (j: any) => j.metadata.labels['openbao.org/cluster'] === name,
      );
      const reasons = (await eventsOf(name)).map((e: any) => e.reason);
      judge(
        {
          area: 'input',
          name: `healthy-${name}`,
          fault: `healthy cluster next to ${CASES.length} malformed ones + manual trigger`,
          expected: 'its run succeeds and is recorded',
        },
        {
          'lastBackupTime set': !!b.lastBackupTime,
          'consecutiveFailures = 0': b.consecutiveFailures === 0,
          'no lastFailureReason': !b.lastFailureReason,
          'lastBackupName is the run key':
            !!job &&
            b.lastBackupName ===
              job.metadata.annotations['openbao.org/backup-key'],
          'trigger observed': b.observedTrigger === 'go-1',
          'BackupConfigValid=True':
            cr.status.conditions.find(
              (x: any) => x.type === 'BackupConfigValid',
            )?.status === 'True',
          'a BackupSucceeded Event': reasons.includes('BackupSucceeded'),
        },
        `last=${b.lastBackupTime}; failures=${b.consecutiveFailures}; ${
          b.lastFailureReason ?? 'no failure'
        }; Events ${reasons.join(',')}`,
      );
    }
  });

  describe.each(CASES)('$name', c => {
    const name = c.clusterName ?? c.name;
    it(`names ${c.field} in a condition and one Warning Event, creates no Job`, async () => {
      const cr = await kube('GET', `${crs}/${name}`);
      const condition = cr.status.conditions?.find(
        (x: any) => x.type === 'BackupConfigValid',
      );
      const events = await eventsOf(name);
      const jobs = await jobClusters();
      const observed = `condition ${condition?.status}/${condition?.reason}; ${
        events.length
      } Event(s) ${events.map((e: any) => e.reason).join(',')}; ${
        jobs.includes(name) ? 'a Job' : 'no Job'
      }`;
      const ok =
        condition?.status === 'False' &&
        condition.message.includes(c.field) &&
        c.says.test(condition.message) &&
        events.length === 1 &&
        events[0].type === 'Warning' &&
        events[0].message.includes(c.field) &&
        !jobs.includes(name) &&
        (!c.trigger || cr.metadata.annotations?.[TRIGGER] === undefined);
      recordFaultCase({
        area: 'input',
        name: c.name,
        fault: `${c.field} malformed${c.trigger ? ' + manual trigger' : ''}`,
        expected: `BackupConfigValid=False and a Warning Event naming ${c.field}; no Job`,
        observed,
        ok,
      });
      expect(condition).toMatchObject({
        status: 'False',
        reason: 'ConfigInvalid',
      });
      expect(condition.message).toContain(c.field);
      expect(condition.message).toMatch(c.says);
      expect(events).toHaveLength(1);
      expect(events[0]).toMatchObject({
        type: 'Warning',
        reason: c.trigger ? 'BackupSkipped' : 'BackupConfigInvalid',
      });
      expect(events[0].message).toContain(c.field);
      expect(jobs).not.toContain(name);
      // A refused manual request is consumed: annotation gone, value recorded.
      expect(cr.metadata.annotations?.[TRIGGER]).toBeUndefined();
      expect(cr.status.backup?.observedTrigger).toBe(
        c.trigger ? 'go-1' : undefined,
      );
    });
  });

  it('a second pass adds no Event and no Job for the malformed clusters', async () => {
    const before = (await kube('GET', `/api/v1/namespaces/${NS}/events`)).items
      .length;
    const report = await reconciler.tick();
    expect(report.errors).toEqual([]);
    const after = (await kube('GET', `/api/v1/namespaces/${NS}/events`)).items
      .length;
    expect(after).toBe(before);
    expect((await jobClusters()).sort()).toEqual(HEALTHY);
    recordFaultCase({
      area: 'input',
      name: 'second-pass',
      fault: `${CASES.length} malformed clusters seen again`,
      expected: 'no new Event, no Job (no Event storm)',
      observed: `${after - before} new Event(s), Jobs for ${(
        await jobClusters()
      ).join(',')}`,
      ok: after === before,
    });
  });

  it.each([
    ['name-unicode', 'OpenBaoCluster', 'bäo', 'metadata.name'],
    [
      'namespace-80-chars',
      'Namespace',
      `n${'s'.repeat(79)}`,
      'metadata.namespace',
    ],
    ['namespace-unicode', 'Namespace', 'vaült', 'metadata.namespace'],
  ])(
    '%s: the API server refuses it (422) and the validator would too',
    async (caseName, kind, value, field) => {
      const path = kind === 'Namespace' ? '/api/v1/namespaces' : crs;
      const body =
        kind === 'Namespace'
          ? { metadata: { name: value } }
          : {
              apiVersion: 'openbao.org/v1alpha1',
              kind,
              metadata: { name: value },
              spec: healthySpec(),
            };
      const answer = await kube('POST', path, body).catch(e => e);
      const problems = validateBackupSpec(
        {
          metadata:
            field === 'metadata.name'
              ? { name: value, namespace: NS }
              : { name: 'bao', namespace: value },
          spec: healthySpec(),
        } as any,
        undefined,
      );
      const ok =
        /422/.test(String(answer)) && problems.some(p => p.field === field);
      recordFaultCase({
        area: 'input',
        name: caseName,
        fault: `${field} "${value.slice(0, 12)}…"`,
        expected: `API server 422; validateBackupSpec names ${field}`,
        observed: `${String(answer).slice(0, 40)}; validator: ${problems
          .map(p => p.field)
          .join(',')}`,
        ok,
      });
      expect(String(answer)).toMatch(/422/);
      expect(problems.map(p => p.field)).toContain(field);
    },
  );
});
