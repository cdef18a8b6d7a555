import {
  KubeApi,
  kubeRequest,
  startKubeApi,
} from '@internal/openbao-backup-sandbox';
import { OpenBaoCluster } from '@internal/plugin-openbao-backup-common';
import { ClientNodeKubeGateway } from '../adapters/ClientNodeKubeGateway';
import { KubeGateway } from '../adapters/KubeGateway';
import { RunOutcome } from '../core';
import { writeStatus } from './writeStatus';

const NS = 'vault';
const crs = `/apis/openbao.org/v1alpha1/namespaces/${NS}/openbaoclusters`;
const now = new Date('2026-01-05T00:00:05Z');
const started: RunOutcome = {
  type: 'job-started',
  jobName: 'backup-bao-20260105000005',
  trigger: 'scheduled',
  runAt: now,
  slot: new Date('2026-01-05T00:00:00Z'),
  next: new Date('2026-01-05T01:00:00Z'),
};

describe('writeStatus (409 on status writes)', () => {
  let kube: KubeApi;
  let gateway: KubeGateway;
  let reads: number;

  beforeAll(async () => {
    kube = await startKubeApi({ namespaces: [NS], controllers: false });
    const real = ClientNodeKubeGateway.create(kube.clusterConfig('test'));
    // Counts the fresh reads; everything else goes to the real client.
    gateway = Object.assign(Object.create(real), {
      getCluster: (ns: string, name: string) => {
        reads++;
        return real.getCluster(ns, name);
      },
      patchClusterStatus: real.patchClusterStatus.bind(real),
    });
  });
  afterAll(() => kube.stop());

  async function freshCluster(name: string): Promise<OpenBaoCluster> {
    reads = 0;
    await kubeRequest(kube, 'POST', crs, {
      apiVersion: 'openbao.org/v1alpha1',
      kind: 'OpenBaoCluster',
      metadata: { name },
      spec: { backup: { schedule: '0 * * * *' } },
    });
    return kubeRequest(kube, 'PATCH', `${crs}/${name}/status`, {
      status: { phase: 'Running' },
    });
  }

  it('retries a conflicting write with a patch rebuilt from a fresh read', async () => {
    const stale = await freshCluster('bao');
    // Someone else (the operator) adds a condition after our read; then two writes conflict.
    await kubeRequest(kube, 'PATCH', `${crs}/bao/status`, {
      status: {
        conditions: [{ type: 'Ready', status: 'True', reason: 'Operator' }],
      },
    });
    kube.faults.conflictNextWrites(3, '**/openbaoclusters/bao/status');

    expect(await writeStatus(gateway, stale, started, now)).toBe(true);

    const cr = await kubeRequest(kube, 'GET', `${crs}/bao`);
    expect(reads).toBe(3);
    expect(cr.status.backup.activeJob).toBe(started.jobName);
    // Built from the fresh copy: the operator's condition survives the merge patch.
    expect(cr.status.conditions.map((c: any) => c.type).sort()).toEqual([
      'BackingUp',
      'BackupConfigValid',
      'Ready',
    ]);
    // Written once: the retry after the conflict finds nothing more to change.
    expect(await writeStatus(gateway, cr, started, now)).toBe(false);
  });

  it("keeps a condition the operator wrote between the backend's read and its write (no injected fault)", async () => {
    const stale = await freshCluster('race');
    let operatorWrote = false;
    let patches = 0;
    const racing: KubeGateway = Object.assign(Object.create(gateway), {
      patchClusterStatus: async (ns: string, name: string, patch: object) => {
        patches++;
        if (!operatorWrote) {
          operatorWrote = true;
          // The operator's own status write lands after our read, before our patch.
          await kubeRequest(kube, 'PATCH', `${crs}/${name}/status`, {
            status: {
              conditions: [
                { type: 'Ready', status: 'True', reason: 'Operator' },
              ],
            },
          });
        }
        return gateway.patchClusterStatus(ns, name, patch);
      },
    });

    expect(await writeStatus(racing, stale, started, now)).toBe(true);

    const cr = await kubeRequest(kube, 'GET', `${crs}/race`);
    // The stale patch conflicted on its resourceVersion; the retry was built from a fresh read.
    expect(patches).toBe(2);
    expect(reads).toBe(1);
    expect(cr.status.backup.activeJob).toBe(started.jobName);
    expect(cr.status.conditions.map((c: any) => c.type).sort()).toEqual([
      'BackingUp',
      'BackupConfigValid',
      'Ready',
    ]);
  });

  it('gives up after 5 conflicts with a ConflictError and writes nothing', async () => {
    const cluster = await freshCluster('storm');
    kube.faults.conflictNextWrites(5, '**/openbaoclusters/storm/status');
    await expect(writeStatus(gateway, cluster, started, now)).rejects.toThrow(
      expect.objectContaining({ name: 'ConflictError' }),
    );
    expect(reads).toBe(4);
    const cr = await kubeRequest(kube, 'GET', `${crs}/storm`);
    expect(cr.status.backup).toBeUndefined();
  });

  it('stops when the cluster was deleted meanwhile', async () => {
    const cluster = await freshCluster('gone');
    kube.faults.conflictNextWrites(1, '**/openbaoclusters/gone/status');
    await kubeRequest(kube, 'DELETE', `${crs}/gone`);
    expect(await writeStatus(gateway, cluster, started, now)).toBe(false);
  });
});
