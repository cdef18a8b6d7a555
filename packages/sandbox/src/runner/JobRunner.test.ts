import { V1Job, Watch } from '@kubernetes/client-node';
import { mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startKubeApi, KubeApi } from '../kube/startKubeApi';
import { clientsFor, waitFor } from '../kube/__testUtils__/kubeClients';
import { createJobRunner, DEMO_RUN_MARKER, JobRunner } from './JobRunner';

/**
 * A stand-in executor: reports what it saw (env, mounted files) to OUT_DIR, writes a termination
 * message like the real executor, and exits with EXIT_CODE; MODE=sleep waits for SIGTERM (exit 7),
 * MODE=stubborn ignores it; GRANDCHILD=1 first starts a long-running child process of its own.
 */
const SCRIPT = `
const fs = require('fs');
const read = p => { try { return fs.readFileSync(p, 'utf8'); } catch { return null; } };
const out = (name, value) => fs.writeFileSync(require('path').join(process.env.OUT_DIR, name), JSON.stringify(value));
const terminate = (report, code) => { fs.writeFileSync(process.env.TERMINATION_LOG_PATH, JSON.stringify(report)); process.exit(code); };
// Signal handlers first, so seen.json also means "ready for SIGTERM".
if (process.env.MODE === 'sleep') {
  process.on('SIGTERM', () => { out('sigterm.json', true); terminate({ ok: false, stage: 'stream', error: 'terminated' }, 7); });
} else if (process.env.MODE === 'stubborn') {
  process.on('SIGTERM', () => out('sigterm.json', true));
}
const grandchild = process.env.GRANDCHILD
  ? require('child_process').spawn(process.execPath, ['-e', 'setInterval(() => {}, 1000)'], { stdio: 'ignore' })
  : undefined;
console.log('executor starting for ' + process.env.CLUSTER_NAME);
console.error('a line on stderr');
out('seen.json', {
  pids: [process.pid, ...(grandchild ? [grandchild.pid] : [])],
  env: Object.fromEntries(Object.entries(process.env).filter(([k]) => !['OUT_DIR'].includes(k))),
  ca: read(process.env.TLS_CA_PATH),
  credentials: process.env.BACKUP_CREDENTIALS_PATH ? fs.readdirSync(process.env.BACKUP_CREDENTIALS_PATH).sort() : null,
  secretAccessKey: process.env.BACKUP_CREDENTIALS_PATH ? read(process.env.BACKUP_CREDENTIALS_PATH + '/secretAccessKey') : null,
  jwt: read(process.env.JWT_TOKEN_PATH),
  awsToken: read(process.env.AWS_WEB_IDENTITY_TOKEN_FILE),
});
if (process.env.MODE === 'sleep' || process.env.MODE === 'stubborn') {
  setInterval(() => {}, 1000);
} else {
  const code = Number(process.env.EXIT_CODE || 0);
  terminate({ ok: code === 0, stage: 'report', key: 'snaps/team/c1/x.snap', size: 42 }, code);
}
`;

let api: KubeApi;
let runner: JobRunner;
let c: ReturnType<typeof clientsFor>;
let work: string;
let podTmp: string;
const logged: string[] = [];

beforeAll(async () => {
  work = await mkdtemp(join(tmpdir(), 'runner-test-'));
  podTmp = join(work, 'pods');
  await require('node:fs/promises').mkdir(podTmp);
  const script = join(work, 'executor.js');
  await writeFile(script, SCRIPT);
  runner = createJobRunner({
    images: {
      'openbao-backup-executor': [process.execPath, script],
      'broken-entrypoint': ['/nonexistent/entrypoint'],
    },
    tmpDir: podTmp,
    logger: { info: m => logged.push(m), warn: m => logged.push(m) },
  });
  api = await startKubeApi({
    namespaces: ['team'],
    podExecutor: runner,
    kubelet: { imagePullFailAfterMs: 300, retryMs: 100 },
  });
  c = clientsFor(api);
  const b64 = (s: string) => Buffer.from(s).toString('base64');
  await c.core.createNamespacedSecret({
    namespace: 'team',
    body: {
      metadata: { name: 'c1-tls' },
      data: {
        'ca.crt': b64('-----BEGIN CERTIFICATE-----\nCA\n'),
        'tls.key': b64('server key'),
      },
    },
  });
  await c.core.createNamespacedSecret({
    namespace: 'team',
    body: {
      metadata: { name: 's3-creds' },
      stringData: {
        accessKeyId: 'AKIAEXAMPLE',
        secretAccessKey: 'very-secret-value',
      },
    },
  });
});

beforeEach(async () => {
  await rm(join(work, 'seen.json'), { force: true });
  await rm(join(work, 'sigterm.json'), { force: true });
});

afterAll(async () => {
  await api.stop();
  await runner.stopAll();
  await rm(work, { recursive: true, force: true });
});

/** A backup Job shaped like docs/contract.md §3 (mounts and env), with test knobs in env. */
function backupJob(
  name: string,
  env: Record<string, string>,
  extra: {
    image?: string;
    activeDeadlineSeconds?: number;
    grace?: number;
  } = {},
): V1Job {
  return {
    metadata: { name, labels: { 'app.kubernetes.io/name': 'openbao-backup' } },
    spec: {
      backoffLimit: 0,
      activeDeadlineSeconds: extra.activeDeadlineSeconds,
      template: {
        spec: {
          restartPolicy: 'Never',
          serviceAccountName: 'c1-backup',
          terminationGracePeriodSeconds: extra.grace ?? 30,
          volumes: [
            {
              name: 'tls-ca',
              secret: {
                secretName: 'c1-tls',
                items: [{ key: 'ca.crt', path: 'ca.crt' }],
              },
            },
            { name: 'credentials', secret: { secretName: 's3-creds' } },
            {
              name: 'openbao-token',
              projected: {
                sources: [
                  {
                    serviceAccountToken: {
                      audience: 'openbao-internal',
                      expirationSeconds: 3600,
                      path: 'openbao-token',
                    },
                  },
                ],
              },
            },
            {
              name: 'aws-token',
              projected: {
                sources: [
                  {
                    serviceAccountToken: {
                      audience: 'sts.amazonaws.com',
                      path: 'token',
                    },
                  },
                ],
              },
            },
          ],
          containers: [
            {
              name: 'executor',
              image:
                extra.image ??
                'ghcr.io/example/openbao-backup-executor:0.1.0@sha256:0123',
              env: [
                { name: 'CLUSTER_NAMESPACE', value: 'team' },
                { name: 'CLUSTER_NAME', value: 'c1' },
                { name: 'BACKUP_BUCKET', value: 'snaps' },
                {
                  name: 'BACKUP_KEY',
                  value: 'snaps/team/$(CLUSTER_NAME)/x.snap',
                },
                {
                  name: 'AWS_WEB_IDENTITY_TOKEN_FILE',
                  value: '/var/run/secrets/aws/token',
                },
                {
                  name: 'S3_ACCESS_KEY',
                  valueFrom: {
                    secretKeyRef: { name: 's3-creds', key: 'accessKeyId' },
                  },
                },
                { name: 'OUT_DIR', value: work },
                ...Object.entries(env).map(([k, v]) => ({ name: k, value: v })),
              ],
              volumeMounts: [
                { name: 'tls-ca', mountPath: '/etc/bao/tls', readOnly: true },
                {
                  name: 'credentials',
                  mountPath: '/etc/bao/backup/credentials',
                  readOnly: true,
                },
                {
                  name: 'openbao-token',
                  mountPath: '/var/run/secrets/tokens',
                  readOnly: true,
                },
                {
                  name: 'aws-token',
                  mountPath: '/var/run/secrets/aws',
                  readOnly: true,
                },
              ],
            },
          ],
        },
      },
    },
  };
}

const readJob = (name: string) =>
  c.batch.readNamespacedJob({ namespace: 'team', name });
const finished = (name: string) =>
  waitFor(
    async () => {
      const j = await readJob(name);
      return j.status?.conditions?.find(
        x => ['Complete', 'Failed'].includes(x.type) && x.status === 'True',
      )
        ? j
        : undefined;
    },
    15000,
    `job ${name} to finish`,
  );
const podOf = async (name: string) =>
  (
    await c.core.listNamespacedPod({
      namespace: 'team',
      labelSelector: `job-name=${name}`,
    })
  ).items[0];
const seen = async () =>
  JSON.parse(await readFile(join(work, 'seen.json'), 'utf8'));
/** Running (a zombie waiting to be reaped counts as gone). */
const alive = (pid: number) =>
  readFile(`/proc/${pid}/stat`, 'utf8').then(
    stat => !/^\d+ \(.*\) Z/.test(stat),
    () => false,
  );

describe('the Job runner', () => {
  it('runs a backup Job as a local process with its env, Secrets and projected tokens', async () => {
    await c.batch.createNamespacedJob({
      namespace: 'team',
      body: backupJob('backup-ok', { EXIT_CODE: '0' }),
    });
    const job = await finished('backup-ok');
    expect(job.status!.conditions!.map(x => x.type)).toEqual([
      'SuccessCriteriaMet',
      'Complete',
    ]);

    const s = await seen();
    expect(s.env).toMatchObject({
      CLUSTER_NAME: 'c1',
      BACKUP_BUCKET: 'snaps',
      BACKUP_KEY: 'snaps/team/c1/x.snap',
      S3_ACCESS_KEY: 'AKIAEXAMPLE',
      HOSTNAME: expect.stringMatching(/^backup-ok-/),
    });
    expect(s.env.JEST_WORKER_ID).toBeUndefined(); // the host env does not leak in
    expect(s.ca).toBe('-----BEGIN CERTIFICATE-----\nCA\n');
    expect(s.credentials).toEqual(['accessKeyId', 'secretAccessKey']);
    expect(s.secretAccessKey).toBe('very-secret-value');
    expect(s.env.AWS_WEB_IDENTITY_TOKEN_FILE).toMatch(
      /\/root\/var\/run\/secrets\/aws\/token$/,
    );
    const claims = runner.serviceAccountIssuer.verify(s.jwt, {
      audience: 'openbao-internal',
    });
    expect(claims).toMatchObject({
      sub: 'system:serviceaccount:team:c1-backup',
      'kubernetes.io': {
        namespace: 'team',
        serviceaccount: { name: 'c1-backup' },
      },
    });
    expect(
      runner.serviceAccountIssuer.verify(s.awsToken, {
        audience: 'sts.amazonaws.com',
      }).aud,
    ).toEqual(['sts.amazonaws.com']);

    const pod = await podOf('backup-ok');
    const terminated = pod.status!.containerStatuses![0].state!.terminated!;
    expect(terminated).toMatchObject({ exitCode: 0, reason: 'Completed' });
    expect(JSON.parse(terminated.message!)).toEqual({
      ok: true,
      stage: 'report',
      key: 'snaps/team/c1/x.snap',
      size: 42,
    });
    const log = await c.core.readNamespacedPodLog({
      namespace: 'team',
      name: pod.metadata!.name!,
    });
    expect(log).toContain('executor starting for c1\n');
    expect(log).toContain('a line on stderr\n');

    // Temp dirs are removed and no secret value reached the runner's log.
    expect(await readdir(podTmp)).toEqual([]);
    expect(logged.join('\n')).not.toMatch(
      /very-secret-value|AKIAEXAMPLE|server key/,
    );
    expect(logged.join('\n')).not.toContain(s.jwt);
  });

  it('copies a failing exit code and termination message into the Pod, failing the Job', async () => {
    await c.batch.createNamespacedJob({
      namespace: 'team',
      body: backupJob('backup-fail', { EXIT_CODE: '5' }),
    });
    const job = await finished('backup-fail');
    expect(job.status!.conditions!.map(x => `${x.type}:${x.reason}`)).toContain(
      'Failed:BackoffLimitExceeded',
    );
    const terminated = (await podOf('backup-fail')).status!
      .containerStatuses![0].state!.terminated!;
    expect(terminated).toMatchObject({ exitCode: 5, reason: 'Error' });
    expect(JSON.parse(terminated.message!).ok).toBe(false);
  });

  // activeDeadlineSeconds 3: startTime has second precision, so the process gets at least 2 s to
  // install its SIGTERM handler even on a loaded machine.
  it('sends SIGTERM at the deadline: the executor reports and exits 7, the Job fails with DeadlineExceeded', async () => {
    const terminatedStates: any[] = [];
    const watch = await new Watch(c.kc).watch(
      '/api/v1/namespaces/team/pods',
      { labelSelector: 'job-name=backup-slow' },
      (_t, pod: any) => {
        const t = pod.status?.containerStatuses?.[0]?.state?.terminated;
        if (t) terminatedStates.push(t);
      },
      () => {},
    );
    await c.batch.createNamespacedJob({
      namespace: 'team',
      body: backupJob(
        'backup-slow',
        { MODE: 'sleep' },
        { activeDeadlineSeconds: 3, grace: 5 },
      ),
    });
    const job = await finished('backup-slow');
    watch.abort();
    expect(job.status!.conditions!.map(x => `${x.type}:${x.reason}`)).toEqual([
      'FailureTarget:DeadlineExceeded',
      'Failed:DeadlineExceeded',
    ]);
    expect(JSON.parse(await readFile(join(work, 'sigterm.json'), 'utf8'))).toBe(
      true,
    );
    // The kubelet reported the exit before removing the deleted Pod.
    expect(terminatedStates[0]).toMatchObject({ exitCode: 7, reason: 'Error' });
    expect(JSON.parse(terminatedStates[0].message)).toMatchObject({
      ok: false,
      error: 'terminated',
    });
    expect(await podOf('backup-slow')).toBeUndefined();
    expect(runner.running).toBe(0);
  });

  it('SIGKILLs a process that ignores SIGTERM once the grace period is over', async () => {
    await c.batch.createNamespacedJob({
      namespace: 'team',
      body: backupJob('backup-stubborn', { MODE: 'stubborn' }, { grace: 1 }),
    });
    const pod = await waitFor(async () => {
      const p = await podOf('backup-stubborn');
      return p?.status?.phase === 'Running' ? p : undefined;
    });
    await waitFor(
      () => readFile(join(work, 'seen.json'), 'utf8').then(() => true),
      5000,
      'process ready',
    );
    const started = Date.now();
    await c.batch.deleteNamespacedJob({
      namespace: 'team',
      name: 'backup-stubborn',
      propagationPolicy: 'Background',
    });
    await waitFor(
      async () =>
        !(await c.core
          .readNamespacedPod({ namespace: 'team', name: pod.metadata!.name! })
          .then(
            () => true,
            () => false,
          )),
      10000,
      'pod gone',
    );
    expect(Date.now() - started).toBeGreaterThanOrEqual(900);
    expect(JSON.parse(await readFile(join(work, 'sigterm.json'), 'utf8'))).toBe(
      true,
    );
    expect(runner.running).toBe(0);
  });

  it("follows a running container's log until it exits (follow=true)", async () => {
    await c.batch.createNamespacedJob({
      namespace: 'team',
      body: backupJob('backup-follow', { MODE: 'sleep' }, { grace: 5 }),
    });
    await waitFor(
      () => readFile(join(work, 'seen.json'), 'utf8').then(() => true),
      5000,
      'process ready',
    );
    const pod = await podOf('backup-follow');
    const res = await fetch(
      `${api.url}/api/v1/namespaces/team/pods/${
        pod.metadata!.name
      }/log?follow=true`,
      {
        headers: { Authorization: `Bearer ${api.token}` },
      },
    );
    expect(res.status).toBe(200);
    const reader = res.body!.getReader();
    let text = '';
    while (!text.includes('executor starting for c1')) {
      const { value, done } = await reader.read();
      expect(done).toBe(false); // the stream stays open while the container runs
      text += new TextDecoder().decode(value);
    }
    // It ends once the container has been stopped.
    await c.batch.deleteNamespacedJob({
      namespace: 'team',
      name: 'backup-follow',
      propagationPolicy: 'Background',
    });
    for (;;) {
      const { done } = await reader.read();
      if (done) break;
    }
    expect(JSON.parse(await readFile(join(work, 'sigterm.json'), 'utf8'))).toBe(
      true,
    );
  });

  it('passes only the demo marker through to the Pod, and stopAll leaves no process of it running', async () => {
    process.env[DEMO_RUN_MARKER] = 'jobrunner-test';
    process.env.OPENBAO_DEMO_OTHER = 'not for pods';
    try {
      await c.batch.createNamespacedJob({
        namespace: 'team',
        body: backupJob('backup-stop', { MODE: 'stubborn', GRANDCHILD: '1' }),
      });
      await waitFor(
        () => readFile(join(work, 'seen.json'), 'utf8').then(() => true),
        5000,
        'process ready',
      );
    } finally {
      delete process.env[DEMO_RUN_MARKER];
      delete process.env.OPENBAO_DEMO_OTHER;
    }
    const s = await seen();
    expect(s.env[DEMO_RUN_MARKER]).toBe('jobrunner-test');
    expect(s.env.OPENBAO_DEMO_OTHER).toBeUndefined();
    expect(s.pids).toHaveLength(2);
    expect(await alive(s.pids[1])).toBe(true);

    await runner.stopAll();
    expect(runner.running).toBe(0);
    expect(await alive(s.pids[0])).toBe(false);
    // The grandchild got the same SIGKILL (the Pod's process group); give the kernel a moment.
    await waitFor(async () => !(await alive(s.pids[1])), 2000, 'grandchild gone');
  });

  it('reports an unknown image as ErrImagePull and fails the Job without crashing', async () => {
    await c.batch.createNamespacedJob({
      namespace: 'team',
      body: backupJob(
        'backup-noimage',
        {},
        { image: 'docker.io/acme/unknown:1' },
      ),
    });
    const waiting = await waitFor(
      async () =>
        (
          await podOf('backup-noimage')
        )?.status?.containerStatuses?.[0]?.state?.waiting,
    );
    expect(waiting.reason).toBe('ErrImagePull');
    expect(waiting.message).toContain('docker.io/acme/unknown');
    const job = await finished('backup-noimage');
    expect(job.status!.conditions!.map(x => x.type)).toContain('Failed');
  });

  it('reports an entrypoint that cannot be started as StartError with exit code 128', async () => {
    await c.batch.createNamespacedJob({
      namespace: 'team',
      body: backupJob('backup-broken', {}, { image: 'broken-entrypoint:1' }),
    });
    const job = await finished('backup-broken');
    expect(job.status!.conditions!.map(x => x.type)).toContain('Failed');
    const terminated = (await podOf('backup-broken')).status!
      .containerStatuses![0].state!.terminated!;
    expect(terminated).toMatchObject({ exitCode: 128, reason: 'StartError' });
    expect(terminated.message).toContain('ENOENT');
  });

  it('keeps a Pod waiting with CreateContainerConfigError while a referenced Secret is missing', async () => {
    const job = backupJob('backup-nosecret', {});
    job.spec!.template.spec!.containers[0].env!.push({
      name: 'X',
      valueFrom: { secretKeyRef: { name: 'later', key: 'k' } },
    });
    await c.batch.createNamespacedJob({ namespace: 'team', body: job });
    const waiting = await waitFor(
      async () =>
        (
          await podOf('backup-nosecret')
        )?.status?.containerStatuses?.[0]?.state?.waiting,
    );
    expect(waiting).toEqual({
      reason: 'CreateContainerConfigError',
      message: 'secret "later" not found',
    });
    await c.core.createNamespacedSecret({
      namespace: 'team',
      body: { metadata: { name: 'later' }, stringData: { k: 'v' } },
    });
    const done = await finished('backup-nosecret');
    expect(done.status!.succeeded).toBe(1);
  });
});
