/*
 * What the watches feed a light pass: the real gateway on the Kubernetes API double (no
 * controllers: Jobs are written by hand), a reconciler that records what it is asked to reconcile.
 */
import { mockServices } from '@backstage/backend-test-utils';
import {
  KubeApi,
  kubeRequest,
  startKubeApi,
} from '@internal/openbao-backup-sandbox';
import {
  LABEL_CLUSTER,
  OpenBaoCluster,
  TRIGGER_BACKUP_ANNOTATION,
} from '@internal/plugin-openbao-backup-common';
import { ClientNodeKubeGateway } from '../adapters/ClientNodeKubeGateway';
import { JobLike } from '../core';
import { crsPath } from '../__testUtils__/backupClusters';
import { ReconcileTask } from './ReconcileTask';

const NS = 'vault';
const HOUR = 3_600_000;

describe('ReconcileTask light passes from the watches', () => {
  let api: KubeApi;
  let gateway: ClientNodeKubeGateway;
  beforeAll(async () => {
    api = await startKubeApi({ namespaces: [NS], controllers: false });
    gateway = ClientNodeKubeGateway.create(api.clusterConfig('test'));
  });
  afterAll(() => api.stop());

  let wallMs = 0;
  let reconciled: string[] = [];
  const task = () => {
    wallMs = 1_000_000;
    reconciled = [];
    return ReconcileTask.create({
      reconciler: {
        tick: async () => ({ clusters: 0, errors: [] }),
        reconcileCluster: async (_, c: OpenBaoCluster) => {
          reconciled.push(c.metadata.name);
          return { action: 'ignore', reason: 'BackupNotConfigured' };
        },
      },
      // The last full pass a second ago: every run here is a light pass.
      ledger: {
        lastFullPassAt: async () => wallMs - 1_000,
        recordFullPass: async () => {},
      },
      reconcileIntervalMs: HOUR,
      logger: mockServices.logger.mock(),
      now: () => new Date('2026-01-05T12:00:00Z'),
      wallClockMs: () => wallMs,
    });
  };

  /** A cluster in the API server, its run `activeJob` in flight (or none). */
  async function createCluster(name: string, activeJob?: string) {
    await kubeRequest(api, 'POST', crsPath(NS), {
      apiVersion: 'openbao.org/v1alpha1',
      kind: 'OpenBaoCluster',
      metadata: { name },
      spec: { backup: { schedule: '0 3 * * *' } },
    });
    return (await kubeRequest(api, 'PATCH', `${crsPath(NS)}/${name}/status`, {
      status: {
        backup: { nextScheduledBackup: '2026-01-06T03:00:00Z', activeJob },
      },
    })) as OpenBaoCluster;
  }
  const job = (cluster: string, name: string, condition?: string): JobLike => ({
    metadata: { name, namespace: NS, labels: { [LABEL_CLUSTER]: cluster } },
    status: condition
      ? { conditions: [{ type: condition, status: 'True' }] }
      : { active: 1 },
  });

  it('flags the cluster whose active Job ended, once, and only that one', async () => {
    const t = task();
    const running = await createCluster('running', 'running-job-1');
    const idle = await createCluster('idle');
    expect(t.observe(gateway, running)).toBe(false);
    expect(t.observe(gateway, idle)).toBe(false);

    expect(
      t.observeJob(gateway, 'MODIFIED', job('running', 'running-job-1')),
    ).toBe(false);
    // An old Job of the cluster, not the one its status waits for.
    expect(
      t.observeJob(gateway, 'DELETED', job('running', 'running-job-0')),
    ).toBe(false);
    expect(
      t.observeJob(gateway, 'MODIFIED', job('idle', 'idle-job-0', 'Failed')),
    ).toBe(false);
    expect((await t.run()).report.clusters).toBe(0);

    expect(
      t.observeJob(
        gateway,
        'MODIFIED',
        job('running', 'running-job-1', 'Complete'),
      ),
    ).toBe(true);
    await t.run();
    expect(reconciled).toEqual(['running']);
    // Handled in that state: not every second (a full pass retries what it could not record).
    await t.run();
    expect(reconciled).toEqual(['running']);
  });

  it('flags an ended Job seen before the status naming it, when that status comes', async () => {
    const t = task();
    const early = await createCluster('early');
    expect(t.observe(gateway, early)).toBe(false);
    expect(
      t.observeJob(gateway, 'MODIFIED', job('early', 'early-job-1', 'Failed')),
    ).toBe(false);
    const named = (await kubeRequest(
      api,
      'PATCH',
      `${crsPath(NS)}/early/status`,
      { status: { backup: { activeJob: 'early-job-1' } } },
    )) as OpenBaoCluster;
    expect(t.observe(gateway, named)).toBe(true);
    // Forgotten an interval later: by then a full pass has recorded the end.
    wallMs += HOUR + 1;
    await t.run();
    expect(reconciled).toEqual([]);
  });

  it('forgets a deleted cluster: no light pass for it, no request', async () => {
    const t = task();
    const gone = await createCluster('gone');
    const triggered = {
      ...gone,
      metadata: {
        ...gone.metadata,
        annotations: { [TRIGGER_BACKUP_ANNOTATION]: 'x' },
      },
    };
    expect(t.observe(gateway, triggered)).toBe(true);
    t.forget(gateway, triggered);
    let requests = 0;
    const count = () => requests++;
    api.server.on('request', count);
    try {
      expect((await t.run()).report).toEqual({ clusters: 0, errors: [] });
    } finally {
      api.server.off('request', count);
    }
    expect(requests).toBe(0);
    expect(reconciled).toEqual([]);
  });
});
