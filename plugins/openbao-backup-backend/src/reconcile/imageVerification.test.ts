import { generateKeyPairSync } from 'node:crypto';
import {
  RegistryHandle,
  pushExecutorImages,
  startRegistry,
} from '@internal/openbao-backup-sandbox';
import { ImageVerificationSpec } from '@internal/plugin-openbao-backup-common';
import {
  Sandbox,
  createBucket,
  sandboxReconciler,
  startSandbox,
} from '../__testUtils__/sandbox';
import {
  seedBackupCluster,
  seedBackupSecrets,
} from '../__testUtils__/backupClusters';
import { runsFromJobs } from '../service/runsFromJobs';
import type { Reconciler } from './Reconciler';

const NS = 'vault';
const bucket = `imgverify-${Date.now().toString(36)}`;
const clusters = `/apis/openbao.org/v1alpha1/namespaces/${NS}/openbaoclusters`;
/** The sandbox runner has no command for this repository: its Jobs' pods stay in ErrImagePull. */
const SCENARIO_REPO = 'acme/scenario-executor';
const REASON = 'ExecutorImageVerificationFailed';

/**
 * Image verification through the whole reconciler: Kubernetes double (Secrets, Jobs, status,
 * Events), registry doubles (bearer token flow, one with credentials), and for one cluster the
 * Job runner executing the real executor from a digest-pinned image into Swift S3.
 */
describe('Reconciler with spec.imageVerification', () => {
  let sandbox: Sandbox;
  let registry: RegistryHandle;
  let privateRegistry: RegistryHandle;
  let now: Date;
  let reconciler: Reconciler;
  const digests: Record<string, string> = {};
  let executor: ReturnType<typeof pushExecutorImages>;
  let downImage = '';

  const crOf = async (name: string) =>
    sandbox.request('GET', `${clusters}/${name}`);
  const jobsOf = async (name: string) =>
    (
      await sandbox.request(
        'GET',
        `/apis/batch/v1/namespaces/${NS}/jobs?labelSelector=openbao.org/cluster%3D${name}`,
      )
    ).items;
  const eventsOf = async (name: string) =>
    (await sandbox.request('GET', `/api/v1/namespaces/${NS}/events`)).items
      .filter(
        (e: any) =>
          e.involvedObject?.name === name || e.regarding?.name === name,
      )
      .map((e: any) => `${e.reason}: ${e.message ?? e.note}`);

  const createCluster = (
    name: string,
    executorImage: string,
    verification: ImageVerificationSpec,
  ) =>
    seedBackupCluster(sandbox, NS, {
      name,
      bucket,
      secrets: false,
      annotations: { 'openbao.org/trigger-backup': `t-${name}` },
      backup: { executorImage },
      spec: { imageVerification: { enabled: true, ...verification } },
    });

  beforeAll(async () => {
    await createBucket(bucket);
    [sandbox, registry, privateRegistry] = await Promise.all([
      startSandbox(NS),
      startRegistry({ auth: {} }),
      startRegistry({ auth: { users: { robot: 's3cret' } } }),
    ]);
    const down = await startRegistry();
    downImage = down.reference(SCENARIO_REPO, 'signed');
    await down.stop();
    executor = pushExecutorImages(registry);
    for (const tag of ['signed', 'copied', 'moved', 'referrer', 'refcopied'])
      digests[tag] = registry.pushImage(SCENARIO_REPO, tag);
    // cosign 3: Sigstore bundles as OCI referrers, no .sig tag.
    registry.signReferrer(SCENARIO_REPO, digests.referrer);
    registry.signReferrer(SCENARIO_REPO, digests.refcopied, {
      statementDigest: digests.signed,
    });
    digests.unsigned = registry.pushImage(SCENARIO_REPO, 'unsigned');
    registry.sign(SCENARIO_REPO, digests.signed);
    registry.sign(SCENARIO_REPO, digests.copied, {
      payloadDigest: digests.signed,
    });
    registry.sign(SCENARIO_REPO, digests.moved);
    digests.private = privateRegistry.pushImage(SCENARIO_REPO, 'signed');
    privateRegistry.sign(SCENARIO_REPO, digests.private);

    await seedBackupSecrets(sandbox, NS, ['bao']);
    await sandbox.request('POST', `/api/v1/namespaces/${NS}/secrets`, {
      metadata: { name: 'pull' },
      type: 'kubernetes.io/dockerconfigjson',
      stringData: {
        '.dockerconfigjson': JSON.stringify({
          auths: {
            [privateRegistry.host]: { username: 'robot', password: 's3cret' },
          },
        }),
      },
    });
    now = new Date();
    reconciler = sandboxReconciler(sandbox, { now: () => now });
  }, 60_000);

  afterAll(async () => {
    await sandbox?.stop();
    await Promise.all([registry?.stop(), privateRegistry?.stop()]);
  });

  it('pins a signed image to its digest and the real executor runs it to a snapshot', async () => {
    await createCluster('bao', executor.signed, {
      publicKey: registry.publicKeyPem,
    });
    await reconciler.tick();
    const [job] = await jobsOf('bao');
    const pinned = `${registry.host}/${executor.name}@${executor.signedDigest}`;
    expect(job.spec.template.spec.containers[0].image).toBe(pinned);
    let cr = await crOf('bao');
    expect(cr.status.backup.lastExecutorImageDigest).toBe(
      executor.signedDigest,
    );
    expect(cr.status.conditions).toEqual(
      expect.arrayContaining([
        expect.objectContaining({
          type: 'ExecutorImageVerified',
          status: 'True',
          reason: 'Verified',
        }),
      ]),
    );
    expect(runsFromJobs([job], {}, now)[0].executorImageDigest).toBe(
      executor.signedDigest,
    );

    const deadline = Date.now() + 45_000;
    while (!cr.status.backup.lastBackupTime && Date.now() < deadline) {
      await new Promise(r => setTimeout(r, 250));
      now = new Date(now.getTime() + 250);
      await reconciler.tick();
      cr = await crOf('bao');
    }
    expect(cr.status.backup).toMatchObject({
      lastExecutorImageDigest: executor.signedDigest,
      consecutiveFailures: 0,
    });
    expect(cr.status.backup.lastBackupName).toMatch(/^vault\/bao\/.*\.snap$/);
  }, 60_000);

  const other = generateKeyPairSync('ec', { namedCurve: 'prime256v1' })
    .publicKey.export({ type: 'spki', format: 'pem' })
    .toString();
  const scenarios: Array<{
    name: string;
    image: () => string;
    spec: () => ImageVerificationSpec;
    why?: RegExp;
  }> = [
    {
      name: 'signed',
      image: () => registry.reference(SCENARIO_REPO, 'signed'),
      spec: () => ({ publicKey: registry.publicKeyPem }),
    },
    {
      name: 'unsigned',
      image: () => registry.reference(SCENARIO_REPO, 'unsigned'),
      spec: () => ({ publicKey: registry.publicKeyPem }),
      why: /no cosign signature for sha256:/,
    },
    {
      name: 'copied',
      image: () => registry.reference(SCENARIO_REPO, 'copied'),
      spec: () => ({ publicKey: registry.publicKeyPem }),
      why: /a valid signature names sha256:[a-f0-9]{64}, not sha256:/,
    },
    {
      name: 'referrer',
      image: () => registry.reference(SCENARIO_REPO, 'referrer'),
      spec: () => ({ publicKey: registry.publicKeyPem }),
    },
    {
      name: 'refcopied',
      image: () => registry.reference(SCENARIO_REPO, 'refcopied'),
      spec: () => ({ publicKey: registry.publicKeyPem }),
      why: /signature referrers: a valid signature names sha256:[a-f0-9]{64}, not sha256:/,
    },
    {
      name: 'wrongkey',
      image: () => registry.reference(SCENARIO_REPO, 'signed'),
      spec: () => ({ publicKey: other }),
      why: /no signature verifies with the configured public key/,
    },
    {
      name: 'down',
      image: () => downImage,
      spec: () => ({ publicKey: registry.publicKeyPem }),
      why: /unreachable \(ECONNREFUSED\)/,
    },
    {
      name: 'nosecret',
      image: () => privateRegistry.reference(SCENARIO_REPO, 'signed'),
      spec: () => ({ publicKey: privateRegistry.publicKeyPem }),
      why: /token endpoint refused an anonymous token/,
    },
    {
      name: 'secret',
      image: () => privateRegistry.reference(SCENARIO_REPO, 'signed'),
      spec: () => ({
        publicKey: privateRegistry.publicKeyPem,
        imagePullSecrets: [{ name: 'pull' }],
      }),
    },
  ];

  // A tag that moved after a verified run is the 'moved-after-signing' test at the end.
  it('decides each scenario under Block and Warn in one pass', async () => {
    for (const s of scenarios) {
      for (const policy of ['Block', 'Warn'] as const) {
        await createCluster(`${s.name}-${policy.toLowerCase()}`, s.image(), {
          failurePolicy: policy,
          ...s.spec(),
        });
      }
    }
    now = new Date(now.getTime() + 2000);
    const report = await reconciler.tick();
    expect(report.errors).toEqual([]);

    for (const s of scenarios) {
      for (const policy of ['Block', 'Warn'] as const) {
        const name = `${s.name}-${policy.toLowerCase()}`;
        const [cr, jobs, events] = await Promise.all([
          crOf(name),
          jobsOf(name),
          eventsOf(name),
        ]);
        const condition = (type: string) => {
          const c = cr.status.conditions.find((x: any) => x.type === type);
          return { status: c?.status, reason: c?.reason, message: c?.message };
        };
        const observed = {
          name,
          jobImages: jobs.map(
            (j: any) => j.spec.template.spec.containers[0].image,
          ),
          digest: cr.status.backup.lastExecutorImageDigest,
          lastFailureReason: cr.status.backup.lastFailureReason,
          consecutiveFailures: cr.status.backup.consecutiveFailures ?? 0,
          verified: condition('ExecutorImageVerified'),
          backingUp: condition('BackingUp').reason,
          triggerPending:
            cr.metadata.annotations?.['openbao.org/trigger-backup'] !==
            undefined,
          events,
        };
        expect(observed).toEqual(expectedOutcome(name, s, policy));
      }
    }
  }, 60_000);

  /** What a scenario must lead to: pinned Job, blocked run, or the tag run with a warning. */
  function expectedOutcome(
    name: string,
    s: (typeof scenarios)[number],
    policy: 'Block' | 'Warn',
  ) {
    const privateOne = s.name === 'secret';
    const digest = privateOne
      ? digests.private
      : digests[s.name === 'referrer' ? 'referrer' : 'signed'];
    const host = privateOne ? privateRegistry.host : registry.host;
    const imagePattern = s.image().replace(/[.:/]/g, '\\$&');
    if (!s.why) {
      return {
        name,
        jobImages: [`${host}/${SCENARIO_REPO}@${digest}`],
        digest,
        lastFailureReason: undefined,
        consecutiveFailures: 0,
        verified: {
          status: 'True',
          reason: 'Verified',
          message: expect.stringContaining(digest),
        },
        backingUp: 'BackupRunning',
        triggerPending: false,
        events: [expect.stringMatching(/^BackupStarted: /)],
      };
    }
    if (policy === 'Block') {
      // No Job, not a backup failure, the trigger kept for the next pass.
      return {
        name,
        jobImages: [],
        digest: undefined,
        lastFailureReason: expect.stringMatching(
          new RegExp(
            `^${REASON}: executor image ${imagePattern}: .*${s.why.source}`,
          ),
        ),
        consecutiveFailures: 0,
        verified: {
          status: 'False',
          reason: REASON,
          message: expect.stringMatching(s.why),
        },
        backingUp: REASON,
        triggerPending: true,
        events: [
          expect.stringMatching(
            new RegExp(
              `^BackupSkipped: manual backup not started: ${REASON}: .*${s.why.source}`,
            ),
          ),
        ],
      };
    }
    return {
      name,
      jobImages: [s.image()],
      digest: undefined,
      lastFailureReason: undefined,
      consecutiveFailures: 0,
      verified: {
        status: 'False',
        reason: 'VerificationFailedWarn',
        message: expect.stringMatching(s.why),
      },
      backingUp: 'BackupRunning',
      triggerPending: false,
      events: expect.arrayContaining([
        expect.stringMatching(
          new RegExp(
            `^ExecutorImageNotVerified: failurePolicy Warn: .*${s.why.source}`,
          ),
        ),
        expect.stringMatching(/^BackupStarted: /),
      ]),
    };
  }

  it('retries a blocked run each pass without new Events, and starts it once the image is signed', async () => {
    const name = 'unsigned-block';
    const eventsBefore = (await eventsOf(name)).length;
    registry.resetRequests();
    now = new Date(now.getTime() + 2000);
    await reconciler.tick();
    expect(await jobsOf(name)).toEqual([]);
    expect((await eventsOf(name)).length).toBe(eventsBefore);

    registry.sign(SCENARIO_REPO, digests.unsigned);
    now = new Date(now.getTime() + 11_000); // past the 10 s failure cache
    await reconciler.tick();
    const jobs = await jobsOf(name);
    expect(
      jobs.map((j: any) => j.spec.template.spec.containers[0].image),
    ).toEqual([`${registry.host}/${SCENARIO_REPO}@${digests.unsigned}`]);
    const cr = await crOf(name);
    expect(cr.status.backup.lastExecutorImageDigest).toBe(digests.unsigned);
    expect(
      cr.metadata.annotations?.['openbao.org/trigger-backup'],
    ).toBeUndefined();
  }, 30_000);

  it('asks the registry a handful of times for a pass over 40 clusters of one image', async () => {
    for (let i = 0; i < 40; i++) {
      await createCluster(
        `fleet-${i}`,
        registry.reference(SCENARIO_REPO, 'unsigned'),
        { publicKey: other },
      );
    }
    registry.resetRequests();
    now = new Date(now.getTime() + 11_000);
    await reconciler.tick();
    for (const i of [0, 39]) {
      expect(
        (await crOf(`fleet-${i}`)).status.backup.lastFailureReason,
      ).toMatch(/no signature verifies/);
    }
    // Other clusters' blocked triggers are retried in the same pass: count this image's requests.
    // The tag's digest is still cached from the earlier pass; the .sig manifest is read once.
    const hex = digests.unsigned.slice('sha256:'.length);
    const count = (suffix: string) =>
      registry.requests.filter(r => r.path.endsWith(suffix)).length;
    expect(count(`/manifests/sha256-${hex}.sig`)).toBe(1);
    expect(count('/manifests/unsigned')).toBe(0);
  }, 60_000);
  it('verifies a tag that moved after a verified run anew once its TTL is over: Block refuses, Warn warns', async () => {
    const image = registry.reference(SCENARIO_REPO, 'moved');
    const names = { Block: 'moved-block', Warn: 'moved-warn' } as const;
    const pinned = `${registry.host}/${SCENARIO_REPO}@${digests.moved}`;
    for (const [policy, name] of Object.entries(names)) {
      await createCluster(name, image, {
        failurePolicy: policy as 'Block' | 'Warn',
        publicKey: registry.publicKeyPem,
      });
    }
    now = new Date(now.getTime() + 2000);
    expect((await reconciler.tick()).errors).toEqual([]);
    for (const name of Object.values(names)) {
      expect(
        (await jobsOf(name)).map(
          (j: any) => j.spec.template.spec.containers[0].image,
        ),
      ).toEqual([pinned]);
    }

    // The tag moves to a new, unsigned image. The pinned runs' pods never pull (the scenario
    // images are not runnable) and the pod start timeout is measured in API-server time, so
    // end them by deleting their Jobs; one pass past the tag TTL (5 min) records them as ended,
    // then a new manual run asks for the tag again.
    const movedTo = registry.pushImage(SCENARIO_REPO, 'moved');
    for (const name of Object.values(names)) {
      for (const job of await jobsOf(name))
        await sandbox.request(
          'DELETE',
          `/apis/batch/v1/namespaces/${NS}/jobs/${job.metadata.name}?propagationPolicy=Background`,
        );
    }
    now = new Date(now.getTime() + 6 * 60_000);
    await reconciler.tick();
    for (const name of Object.values(names)) {
      expect((await crOf(name)).status.backup.activeJob).toBeUndefined();
      await sandbox.request('PATCH', `${clusters}/${name}`, {
        metadata: { annotations: { 'openbao.org/trigger-backup': 'again' } },
      });
    }
    now = new Date(now.getTime() + 2000);
    expect((await reconciler.tick()).errors).toEqual([]);

    const why = `no cosign signature for ${movedTo}`;
    const block = await crOf(names.Block);
    expect(block.status.backup.lastFailureReason).toBe(
      `${REASON}: executor image ${image}: ${why} (tag ${movedTo.replace(
        ':',
        '-',
      )}.sig not found, no signature referrers)`,
    );
    expect(block.metadata.annotations?.['openbao.org/trigger-backup']).toBe(
      'again',
    );
    expect(
      (await jobsOf(names.Block)).map(
        (j: any) => j.spec.template.spec.containers[0].image,
      ),
    ).toEqual([]);
    expect(await eventsOf(names.Block)).toContainEqual(
      expect.stringMatching(
        new RegExp(
          `^BackupSkipped: manual backup not started: ${REASON}: .*${why}`,
        ),
      ),
    );

    // Warn: the run starts from the tag as written (not the old pinned digest) and says why.
    const warn = await crOf(names.Warn);
    expect(
      warn.status.conditions.find(
        (c: any) => c.type === 'ExecutorImageVerified',
      ),
    ).toMatchObject({
      status: 'False',
      reason: 'VerificationFailedWarn',
      message: expect.stringContaining(why),
    });
    expect(
      (await jobsOf(names.Warn)).map(
        (j: any) => j.spec.template.spec.containers[0].image,
      ),
    ).toEqual([image]);
    expect(await eventsOf(names.Warn)).toContainEqual(
      expect.stringMatching(
        new RegExp(`^ExecutorImageNotVerified: failurePolicy Warn: .*${why}`),
      ),
    );
  }, 60_000);
});
