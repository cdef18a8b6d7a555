/*
 * Fault suite, security: the backend runs with exactly the RBAC the Helm chart renders (the sandbox
 * Kubernetes API enforces it) through whole backups, successful and failing, with recognisable
 * secret values (S3 secret key, OpenBao tokens, service-account JWTs); afterwards none of them may
 * appear in the backend's logs, the executor's output or termination message, the status, Events,
 * Jobs or API responses. A Role missing one verb makes the pass fail with the apiserver's 403.
 */
import { randomBytes } from 'node:crypto';
import https from 'node:https';
import { join } from 'node:path';
import { PutObjectCommand } from '@aws-sdk/client-s3';
import { LoggerService } from '@backstage/backend-plugin-api';
import {
  RequestAttributes,
  recordFaultCase,
  renderChart,
} from '@internal/openbao-backup-sandbox';
import request from 'supertest';
import { ClientNodeKubeGateway } from '../adapters/ClientNodeKubeGateway';
import { jobHasEnded } from '../core';
import {
  S3_CREDENTIALS,
  Sandbox,
  createBucket,
  s3Client,
  sandboxReconciler,
  startSandbox,
} from '../__testUtils__/sandbox';
import {
  backupClusterManifest,
  createRunningCluster,
  seedBackupCluster,
  seedBackupSecrets,
} from '../__testUtils__/backupClusters';
import { BACKUP_ADDRESSES_ANNOTATION } from '@internal/plugin-openbao-backup-common';
import { startPluginBackend } from '../__testUtils__/pluginBackend';

const NS = 'vault';
const RELEASE_NS = 'openbao-backup';
const BACKEND = `system:serviceaccount:${RELEASE_NS}:openbao-backup`;
const CRIPPLED = `system:serviceaccount:${RELEASE_NS}:crippled`;
const BACKEND_TOKEN = randomBytes(16).toString('hex');
const CRIPPLED_TOKEN = randomBytes(16).toString('hex');
/** The backend installed with `rbac.namespaces: [vault]` (a Role per namespace, no ClusterRole). */
const NAMESPACED = `system:serviceaccount:${RELEASE_NS}:namespaced`;
const NAMESPACED_TOKEN = randomBytes(16).toString('hex');
const OUTSIDE_NS = 'elsewhere';
const CHART = join(__dirname, '../../../../charts/openbao-backup');
const canary = randomBytes(6).toString('hex');
const S3_SECRET = `S3SECRET${canary}`;
const GOOD_TOKEN = `s.GOODTOKEN${canary}`;
const BAD_TOKEN = `s.BADTOKEN${canary}`;
const bucket = `security-${Date.now().toString(36)}`;
const RBAC_API = '/apis/rbac.authorization.k8s.io/v1';
const CRS = `/apis/openbao.org/v1alpha1/namespaces/${NS}/openbaoclusters`;

/** Every secret value of the run: the literal ones, JWTs and the tokens OpenBao hands out. */
const SECRETS: Array<[string, RegExp]> = [
  ['S3 secret key (failing run)', new RegExp(S3_SECRET)],
  [
    'S3 secret key (successful runs)',
    new RegExp(`\\b${S3_CREDENTIALS.secretAccessKey}\\b`),
  ],
  [
    'OpenBao token (successful run)',
    new RegExp(GOOD_TOKEN.replace('.', '\\.')),
  ],
  ['OpenBao token (rejected)', new RegExp(BAD_TOKEN.replace('.', '\\.'))],
  ['JWT', /eyJ[A-Za-z0-9_-]{8,}\.eyJ[A-Za-z0-9_-]{8,}\.[A-Za-z0-9_-]{8,}/],
  ['OpenBao client token from login', /\bs\.[A-Za-z0-9_-]{24}\b/],
];

/** Grants the reconciler never needs that the REST API uses; the scan checks them. */
const REST_ONLY_GRANTS = ['openbao.org/openbaoclusters:get'];

/** A decision as `group/resource[/subresource]:verb`, the form the ClusterRole is compared in. */
const grantOf = (a: RequestAttributes) =>
  `${a.apiGroup || 'core'}/${a.resource}${
    a.subresource ? `/${a.subresource}` : ''
  }:${a.verb}`;

/** A LoggerService that keeps every line (Errors with message and stack). */
function capturingLogger(lines: string[]): LoggerService {
  const line = (level: string) => (message: string, meta?: unknown) => {
    lines.push(
      JSON.stringify({ level, message, meta }, (_k, v) =>
        v instanceof Error ? { message: v.message, stack: v.stack } : v,
      ),
    );
  };
  const logger: LoggerService = {
    error: line('error'),
    warn: line('warn'),
    info: line('info'),
    debug: line('debug'),
    child: () => logger,
  };
  return logger;
}

describe('fault suite: security (chart RBAC enforced, secret scanning)', () => {
  let sandbox: Sandbox;
  const decisions: Array<{ user: string; a: RequestAttributes; ok: boolean }> =
    [];
  const backendLog: string[] = [];
  let rendered: ReturnType<typeof renderChart>;
  const gatewayAs = (token: string, namespaces?: string[]) =>
    ClientNodeKubeGateway.create({
      name: 'sandbox',
      url: sandbox.kube.url,
      caData: sandbox.kube.caData,
      serviceAccountToken: token,
      skipTLSVerify: false,
      authProvider: 'serviceAccount',
      namespaces,
    });

  beforeAll(async () => {
    await createBucket(bucket);
    sandbox = await startSandbox(NS, {
      kube: {
        users: [
          { token: BACKEND_TOKEN, username: BACKEND },
          { token: CRIPPLED_TOKEN, username: CRIPPLED },
          { token: NAMESPACED_TOKEN, username: NAMESPACED },
        ],
        onAuthorize: (user, a, ok) =>
          decisions.push({ user: user.username, a, ok }),
      },
    });
    const { request: kube, bao } = sandbox;
    // The chart as installed by default (cluster mode), Secrets readable by name only.
    rendered = renderChart(CHART, {
      namespace: RELEASE_NS,
      values: [
        {
          rbac: {
            secrets: {
              resourceNames: ['s3', 's3-wrong', 'bao-token', 'bao-token-wrong'],
            },
          },
        },
      ],
    });
    for (const o of rendered.objects) {
      if (o.kind === 'ClusterRole')
        await kube('POST', `${RBAC_API}/clusterroles`, o);
      if (o.kind === 'ClusterRoleBinding')
        await kube('POST', `${RBAC_API}/clusterrolebindings`, o);
    }

    const secrets: Record<string, Record<string, string>> = {
      's3-wrong': {
        accessKeyId: S3_CREDENTIALS.accessKeyId,
        secretAccessKey: S3_SECRET,
      },
      'bao-token': { token: GOOD_TOKEN },
      'bao-token-wrong': { token: BAD_TOKEN },
    };
    bao.addToken(GOOD_TOKEN, ['snapshot']);
    bao.addJwtRole({
      name: 'backup-wrong-s3',
      boundServiceAccounts: [`${NS}/bao-wrong-s3-backup`],
    });
    const clusters = {
      bao: { retention: { maxCount: 1 } },
      // Token clusters log in with the token alone (JSON drops the undefined JWT role).
      'bao-token': {
        jwtAuthRole: undefined,
        tokenSecretRef: { name: 'bao-token' },
      },
      'bao-wrong-s3': {
        jwtAuthRole: 'backup-wrong-s3',
        target: { credentialsSecretRef: { name: 's3-wrong' } },
      },
      'bao-wrong-token': {
        jwtAuthRole: undefined,
        tokenSecretRef: { name: 'bao-token-wrong' },
      },
    };
    await seedBackupSecrets(sandbox, NS, Object.keys(clusters));
    for (const [name, stringData] of Object.entries(secrets)) {
      await kube('POST', `/api/v1/namespaces/${NS}/secrets`, {
        metadata: { name },
        stringData,
      });
    }
    for (const [name, backup] of Object.entries(clusters)) {
      const { target, ...rest } = backup as { target?: object };
      await seedBackupCluster(sandbox, NS, {
        name,
        bucket,
        secrets: false,
        annotations: { 'openbao.org/trigger-backup': 'go-1' },
        backup: {
          schedule: '0 3 * * *',
          ...rest,
          target: { pathPrefix: 'snapshots', ...target },
        },
      });
    }
    // An old snapshot of bao that retention (maxCount 1) must delete after the new one.
    await s3Client().send(
      new PutObjectCommand({
        Bucket: bucket,
        Key: `snapshots/${NS}/bao/2020-01-01T00-00-00Z-0badc0de.snap`,
        Body: 'old',
      }),
    );
  }, 60_000);
  afterAll(() => sandbox?.stop());

  const getCluster = (name: string) => sandbox.request('GET', `${CRS}/${name}`);
  const events = async () =>
    (await sandbox.request('GET', `/api/v1/namespaces/${NS}/events`)).items;

  it('runs schedule → Job → status → retention → trigger clear → Events with exactly the chart RBAC', async () => {
    const gateway = gatewayAs(BACKEND_TOKEN);
    const watched: string[] = [];
    const watchErrors: Error[] = [];
    const stopWatch = gateway.watchClusters(
      c => watched.push(c.metadata.name),
      e => watchErrors.push(e),
    );
    const endedJobs: string[] = [];
    const stopJobWatch = gateway.watchJobs(
      (type, job) =>
        jobHasEnded(type, job) && endedJobs.push(job.metadata!.name!),
      e => watchErrors.push(e),
    );
    const reconciler = sandboxReconciler(
      { gateway },
      { logger: capturingLogger(backendLog) },
    );
    const names = ['bao', 'bao-token', 'bao-wrong-s3', 'bao-wrong-token'];
    const deadline = Date.now() + 60_000;
    let crs: any[] = [];
    for (;;) {
      const report = await reconciler.tick();
      expect(report.errors).toEqual([]);
      crs = await Promise.all(names.map(getCluster));
      const ended = crs.every(
        cr =>
          cr.status?.backup?.lastAttemptTime &&
          !cr.status.backup.activeJob &&
          (cr.status.backup.lastBackupTime ||
            cr.status.backup.consecutiveFailures > 0),
      );
      if (ended) break;
      if (Date.now() > deadline)
        throw new Error(
          `runs did not end: ${JSON.stringify(crs.map(c => c.status))}`,
        );
      await new Promise(r => setTimeout(r, 300));
    }
    // One more pass: retention after the success has run; the watch saw the status writes.
    expect((await reconciler.tick()).errors).toEqual([]);
    stopWatch();
    stopJobWatch();

    const [bao, token, wrongS3, wrongToken] = await Promise.all(
      names.map(getCluster),
    );
    expect(bao.status.backup.lastBackupName).toMatch(
      /^snapshots\/vault\/bao\//,
    );
    expect(bao.status.backup.nextScheduledBackup).toBeDefined();
    expect(
      bao.metadata.annotations['openbao.org/trigger-backup'],
    ).toBeUndefined();
    expect(token.status.backup.lastBackupName).toMatch(/bao-token\//);
    expect(wrongS3.status.backup.lastFailureReason).toMatch(
      /storage|S3|Signature/i,
    );
    expect(wrongToken.status.backup.lastFailureReason).toMatch(/auth/i);
    const reasons = (await events()).map((e: any) => e.reason);
    expect(reasons).toEqual(
      expect.arrayContaining([
        'BackupStarted',
        'BackupSucceeded',
        'BackupFailed',
        'RetentionApplied',
      ]),
    );
    expect(watched).toContain('bao');
    expect(endedJobs.length).toBeGreaterThan(0);
    expect(watchErrors).toEqual([]);

    // Exactly the chart's permissions: nothing denied, and every rule was needed.
    const mine = decisions.filter(d => d.user === BACKEND);
    const denied = mine.filter(d => !d.ok);
    const used = new Set(mine.map(({ a }) => grantOf(a)));
    const role = rendered.objects.find(o => o.kind === 'ClusterRole')!;
    const granted = new Set<string>(
      role.rules.flatMap((r: any) =>
        r.resources.flatMap((res: string) =>
          r.verbs.map((v: string) => `${r.apiGroups[0] || 'core'}/${res}:${v}`),
        ),
      ),
    );
    // Granted for paths this run does not take: adopting a Job after a 409 on create, deleting a
    // failed Job or the pod of a Job deleted with propagationPolicy=Orphan, and the REST API's
    // single-cluster read (the scan of the last test checks it).
    const rarePaths = [
      'batch/jobs:get',
      'batch/jobs:delete',
      'core/pods:delete',
      ...REST_ONLY_GRANTS,
      // Checked by OwnerReferencesPermissionEnforcement (OpenShift) when the Job is created with
      // its blockOwnerDeletion ownerReference; the API double does not run that admission plugin.
      'openbao.org/openbaoclusters/finalizers:update',
    ];
    const unused = [...granted].filter(
      g => !used.has(g) && !rarePaths.includes(g),
    );
    recordFaultCase({
      area: 'security',
      name: 'chart-rbac-full-reconcile',
      fault:
        'backend identity limited to the chart ClusterRole (API double enforces RBAC)',
      expected:
        'whole run (schedule, Job, status, retention, trigger clear, Events, watch) with 0 denials and no unused grant',
      observed: `${denied.length} denied, ${
        mine.length
      } checks, unused grants: ${unused.join(',') || 'none'}`,
      ok: denied.length === 0 && unused.length === 0,
    });
    expect(denied.map(d => d.a)).toEqual([]);
    expect(unused).toEqual([]);
  }, 90_000);

  it('a Role missing one verb fails the pass with the apiserver 403 and keeps the request', async () => {
    const { request: kube } = sandbox;
    const role = rendered.objects.find(o => o.kind === 'ClusterRole')!;
    await kube('POST', `${RBAC_API}/clusterroles`, {
      metadata: { name: 'crippled' },
      rules: role.rules.map((r: any) =>
        r.resources.includes('jobs')
          ? { ...r, verbs: r.verbs.filter((v: string) => v !== 'create') }
          : r,
      ),
    });
    await kube('POST', `${RBAC_API}/clusterrolebindings`, {
      metadata: { name: 'crippled' },
      roleRef: {
        apiGroup: 'rbac.authorization.k8s.io',
        kind: 'ClusterRole',
        name: 'crippled',
      },
      subjects: [
        { kind: 'ServiceAccount', name: 'crippled', namespace: RELEASE_NS },
      ],
    });
    await kube('PATCH', `${CRS}/bao`, {
      metadata: { annotations: { 'openbao.org/trigger-backup': 'go-2' } },
    });
    const reconciler = sandboxReconciler(
      { gateway: gatewayAs(CRIPPLED_TOKEN) },
      { logger: capturingLogger(backendLog) },
    );
    const report = await reconciler.tick();
    const error = report.errors.find(e => e.cluster === `${NS}/bao`);
    const bao = await getCluster('bao');
    const expected = `jobs.batch is forbidden: User "${CRIPPLED}" cannot create resource "jobs" in API group "batch" in the namespace "${NS}"`;
    const ok =
      !!error?.message.includes(expected) &&
      /create Job vault\/backup-bao-/.test(error.message) &&
      bao.metadata.annotations['openbao.org/trigger-backup'] === 'go-2';
    recordFaultCase({
      area: 'security',
      name: 'rbac-missing-verb',
      fault: 'ClusterRole without create on jobs',
      expected:
        'pass error names the call and carries the 403 Status message; trigger kept for the next pass',
      observed: error ? error.message.split('\n')[0].slice(0, 120) : 'no error',
      ok,
    });
    expect(error?.message).toContain('create Job vault/backup-bao-');
    expect(error?.message).toContain(expected);
    expect(error?.message).toContain(`HTTP 403 Forbidden: ${expected}`);
    // Nothing lost: the request stays until a pass can act on it.
    expect(bao.metadata.annotations['openbao.org/trigger-backup']).toBe('go-2');
    expect(bao.status.backup.activeJob).toBeUndefined();
  });

  it('namespaced chart RBAC (rbac.namespaces): a run in the listed namespace gets no denial; another namespace is never touched, or is a clear 403 when configured', async () => {
    const { request: kube } = sandbox;
    const namespaced = renderChart(CHART, {
      namespace: RELEASE_NS,
      values: [
        {
          serviceAccount: { name: 'namespaced' },
          rbac: {
            namespaces: [NS],
            secrets: {
              resourceNames: ['s3', 's3-wrong', 'bao-token', 'bao-token-wrong'],
            },
          },
        },
      ],
    });
    const kinds = namespaced.objects.map(o => o.kind);
    expect(kinds).not.toContain('ClusterRole');
    for (const o of namespaced.objects) {
      if (o.kind === 'Role' || o.kind === 'RoleBinding')
        await kube(
          'POST',
          `${RBAC_API}/namespaces/${
            o.metadata.namespace
          }/${o.kind.toLowerCase()}s`,
          o,
        );
    }
    // A cluster in the listed namespace (token auth, Secrets of the first test) and one outside it.
    await kube('POST', `/api/v1/namespaces/${NS}/secrets`, {
      metadata: { name: 'bao-ns-tls' },
      stringData: { 'ca.crt': sandbox.bao.caCertPem },
    });
    await seedBackupCluster(sandbox, NS, {
      name: 'bao-ns',
      bucket,
      secrets: false,
      annotations: { 'openbao.org/trigger-backup': 'ns-1' },
      backup: {
        jwtAuthRole: undefined,
        tokenSecretRef: { name: 'bao-token' },
        target: { pathPrefix: 'snapshots' },
      },
    });
    await kube('POST', '/api/v1/namespaces', {
      metadata: { name: OUTSIDE_NS },
    });
    const outsidePath = await createRunningCluster(kube, OUTSIDE_NS, {
      ...backupClusterManifest({
        name: 'bao-out',
        bucket,
        annotations: {
          'openbao.org/trigger-backup': 'out-1',
          [BACKUP_ADDRESSES_ANNOTATION]: sandbox.bao.addresses.join(','),
        },
      }),
    });

    // As configured per values.yaml: the backend's namespaces match rbac.namespaces.
    const reconciler = sandboxReconciler({
      gateway: gatewayAs(NAMESPACED_TOKEN, [NS]),
    });
    const deadline = Date.now() + 60_000;
    let cr: any;
    for (;;) {
      expect((await reconciler.tick()).errors).toEqual([]);
      cr = await getCluster('bao-ns');
      if (
        cr.status?.backup?.observedTrigger === 'ns-1' &&
        !cr.status.backup.activeJob
      )
        break;
      if (Date.now() > deadline)
        throw new Error(`the run did not end: ${JSON.stringify(cr.status)}`);
      await new Promise(r => setTimeout(r, 300));
    }
    const mine = decisions.filter(d => d.user === NAMESPACED);
    const denied = mine.filter(d => !d.ok);
    const elsewhere = mine.filter(d => d.a.namespace !== NS);
    const outside = await kube('GET', outsidePath);

    // Configured with a namespace its Roles do not cover: the pass reports the API server's 403.
    const wider = sandboxReconciler({
      gateway: gatewayAs(NAMESPACED_TOKEN, [NS, OUTSIDE_NS]),
    });
    const widerErrors = (await wider.tick()).errors.map(e => e.message);
    const deniedOutside = decisions.filter(d => d.user === NAMESPACED && !d.ok);
    const ok =
      denied.length === 0 &&
      elsewhere.length === 0 &&
      !!cr.status.backup.lastBackupTime &&
      cr.status.backup.consecutiveFailures === 0 &&
      !outside.status?.backup &&
      outside.metadata.annotations['openbao.org/trigger-backup'] === 'out-1' &&
      widerErrors.some(m => /403|forbidden/i.test(m) && m.includes(OUTSIDE_NS));
    recordFaultCase({
      area: 'security',
      name: 'chart-rbac-namespaced',
      fault: `backend identity limited to the chart's Role in ${NS} (rbac.namespaces); a cluster in ${OUTSIDE_NS}`,
      expected: `run in ${NS} (trigger, Job, success recorded) with 0 denials and no request outside ${NS}; with ${OUTSIDE_NS} configured too, a pass error naming it (403)`,
      observed: `${denied.length} denied of ${mine.length} checks, ${
        elsewhere.length
      } outside ${NS}; run ${
        cr.status.backup.lastBackupTime
          ? 'ok'
          : cr.status.backup.lastFailureReason
      }; ${OUTSIDE_NS} configured: ${widerErrors.join(' | ').slice(0, 120)}`,
      ok,
    });
    expect(denied.map(d => d.a)).toEqual([]);
    expect(elsewhere.map(d => d.a)).toEqual([]);
    expect(cr.status.backup).toMatchObject({ consecutiveFailures: 0 });
    expect(cr.status.backup.lastBackupTime).toBeDefined();
    expect(cr.status.backup.lastBackupName).toMatch(
      /^snapshots\/vault\/bao-ns\//,
    );
    expect(outside.status?.backup).toBeUndefined();
    expect(outside.metadata.annotations['openbao.org/trigger-backup']).toBe(
      'out-1',
    );
    expect(deniedOutside.every(d => d.a.namespace === OUTSIDE_NS)).toBe(true);
    expect(widerErrors).toEqual([
      expect.stringMatching(
        new RegExp(
          `(403|[Ff]orbidden).*${OUTSIDE_NS}|${OUTSIDE_NS}.*(403|[Ff]orbidden)`,
        ),
      ),
    ]);
  }, 90_000);

  it('no secret value appears in logs, executor output, termination messages, status, Events, Jobs or API responses', async () => {
    const { kube } = sandbox;
    const pods = kube.store.list(
      kube.store.types.find(t => t.kind === 'Pod')!,
      NS,
    );
    expect(pods.length).toBeGreaterThanOrEqual(4);
    const podLogs = pods.map(p => JSON.stringify(kube.kubelet!.podLog(p)));
    const terminations = pods.flatMap(p =>
      (p.status?.containerStatuses ?? []).map(
        (c: any) => c.state?.terminated?.message ?? '',
      ),
    );
    expect(terminations.join('')).toMatch(/"ok":true/);
    expect(terminations.join('')).toMatch(/"ok":false/);

    // The REST API, as the backend serves it with the chart's identity.
    const pluginLog: string[] = [];
    const server = await startPluginBackend({
      clusters: [
        {
          name: 'sandbox',
          url: kube.url,
          caData: kube.caData,
          serviceAccountToken: BACKEND_TOKEN,
        },
      ],
      logger: capturingLogger(pluginLog),
    });
    const responses: string[] = [];
    const scanFrom = decisions.length;
    const paths = ['/clusters'];
    for (const name of ['bao', 'bao-token', 'bao-wrong-s3', 'bao-wrong-token'])
      for (const sub of ['', '/backups', '/retention/preview'])
        paths.push(`/clusters/sandbox/${NS}/${name}${sub}`);
    const statuses: Record<string, number> = {};
    for (const path of paths) {
      const res = await request(server).get(`/api/openbao-backup${path}`);
      statuses[path] = res.status;
      responses.push(res.text);
    }
    const triggered = await request(server)
      .post(
        `/api/openbao-backup/clusters/sandbox/${NS}/bao-wrong-token/trigger`,
      )
      .send({ reason: 'security scan' });
    statuses['POST trigger'] = triggered.status;
    responses.push(triggered.text);
    // Every read succeeds with the chart's RBAC; only listing the bucket whose credentials are
    // wrong is unavailable (503 from S3, not from Kubernetes). Its retention preview lists nothing:
    // that cluster has no retention rule.
    const expectedStatuses = Object.fromEntries([
      ...paths.map(p => [p, p.endsWith('/bao-wrong-s3/backups') ? 503 : 200]),
      ['POST trigger', 202],
    ]);
    const scan = decisions.slice(scanFrom).filter(d => d.user === BACKEND);
    const scanDenied = scan.filter(d => !d.ok).map(d => grantOf(d.a));
    const scanUsed = new Set(scan.map(d => grantOf(d.a)));
    const restOnlyUnused = REST_ONLY_GRANTS.filter(g => !scanUsed.has(g));
    recordFaultCase({
      area: 'security',
      name: 'chart-rbac-rest-api',
      fault:
        'REST API (fleet, detail, backups, retention preview, trigger) served with the chart identity',
      expected: `expected statuses, 0 denials, ${REST_ONLY_GRANTS.join(
        ',',
      )} used`,
      observed: `${scan.length} checks, denied: ${
        scanDenied.join(',') || 'none'
      }, REST-only grants unused: ${
        restOnlyUnused.join(',') || 'none'
      }; statuses ${JSON.stringify(statuses)}`,
      ok:
        scan.length > 0 &&
        scanDenied.length === 0 &&
        restOnlyUnused.length === 0 &&
        JSON.stringify(statuses) === JSON.stringify(expectedStatuses),
    });
    expect(statuses).toEqual(expectedStatuses);
    expect(scanDenied).toEqual([]);
    expect(restOnlyUnused).toEqual([]);
    // Over the whole file, the chart's identity was never refused anything.
    expect(
      decisions.filter(d => d.user === BACKEND && !d.ok).map(d => d.a),
    ).toEqual([]);

    // The patterns catch real values: a JWT the double issues and the token a login returns.
    const jwt = sandbox.bao.issueJwt({
      namespace: NS,
      serviceAccount: 'bao-backup',
    });
    const login = await new Promise<string>((resolve, reject) => {
      const req = https.request(
        `${sandbox.bao.addresses[sandbox.bao.leaderIndex]}/v1/auth/jwt/login`,
        { method: 'POST', ca: sandbox.bao.caCertPem },
        res => {
          let body = '';
          res.on('data', c => (body += c));
          res.on('end', () => resolve(body));
        },
      );
      req.on('error', reject);
      req.end(JSON.stringify({ role: 'backup', jwt }));
    });
    const control = [
      S3_SECRET,
      S3_CREDENTIALS.secretAccessKey,
      GOOD_TOKEN,
      BAD_TOKEN,
      jwt,
      JSON.parse(login).auth.client_token,
    ].join(' ');
    expect(SECRETS.filter(([, re]) => !re.test(control))).toEqual([]);

    const crs = await sandbox.request('GET', CRS);
    const jobs = await sandbox.request(
      'GET',
      `/apis/batch/v1/namespaces/${NS}/jobs`,
    );
    const places: Array<[string, string]> = [
      ['backend logs', [...backendLog, ...pluginLog].join('\n')],
      ['executor stdout/stderr', podLogs.join('\n')],
      ['termination messages', terminations.join('\n')],
      [
        'status and annotations',
        JSON.stringify(crs.items.map((c: any) => [c.metadata, c.status])),
      ],
      ['Events', JSON.stringify(await events())],
      ['Job manifests', JSON.stringify(jobs.items)],
      ['API responses', responses.join('\n')],
    ];
    for (const [place, text] of places) {
      const found = SECRETS.filter(([, re]) => re.test(text)).map(
        ([what]) => what,
      );
      recordFaultCase({
        area: 'security',
        name: `no-secrets-in-${place.replace(/\W+/g, '-').toLowerCase()}`,
        fault:
          'successful and failing runs with canary S3 key, OpenBao tokens, JWTs',
        expected: `no secret value in ${place}`,
        observed: found.length
          ? `found: ${found.join(', ')}`
          : `${text.length} chars, none found`,
        ok: found.length === 0,
      });
      expect({ place, found }).toEqual({ place, found: [] });
      expect(text.length).toBeGreaterThan(0);
    }
  });
});
