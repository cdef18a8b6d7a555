import { mockServices } from '@backstage/backend-test-utils';
import { KubeApi, kubeRequest } from '@internal/openbao-backup-sandbox';
import { TRIGGER_BACKUP_ANNOTATION } from '@internal/plugin-openbao-backup-common';
import { ClientNodeKubeGateway } from '../adapters/ClientNodeKubeGateway';
import { KubeGateway } from '../adapters/KubeGateway';
import { objectStoreFor } from '../adapters/objectStoreFor';
import {
  createBackupClusters,
  crsPath,
  startSimulatedKube,
} from '../__testUtils__/backupClusters';
import { createTestBucket } from '../__testUtils__/sandbox';
import { Reconciler } from './Reconciler';

const NS = 'vault';
const cr = `${crsPath(NS)}/bao`;

describe('a manual trigger set again while the pass clears the previous one', () => {
  let kube: KubeApi;

  beforeAll(async () => {
    const bucket = await createTestBucket('trigger-race');
    kube = await startSimulatedKube(NS, 20);
    // Yearly schedule: only the triggers start runs here.
    await createBackupClusters(kube, NS, ['bao'], {
      schedule: '0 0 1 1 *',
      bucket,
    });
  });
  afterAll(() => kube?.stop());

  it('keeps the newer value written between the read and the removal, and runs it', async () => {
    const real = ClientNodeKubeGateway.create(kube.clusterConfig('k8s'));
    let raced = false;
    // The user asks again after the pass read the cluster, just before it clears the annotation.
    const removeClusterAnnotation = async (
      ns: string,
      name: string,
      key: string,
      value: string,
    ) => {
      if (!raced) {
        raced = true;
        await kubeRequest(kube, 'PATCH', cr, {
          metadata: { annotations: { [key]: 'second' } },
        });
      }
      return real.removeClusterAnnotation(ns, name, key, value);
    };
    // Every other call goes to the real gateway (bound: it keeps private fields).
    const gateway = new Proxy(real, {
      get: (target, prop) =>
        prop === 'removeClusterAnnotation'
          ? removeClusterAnnotation
          : (target as any)[prop]?.bind?.(target) ?? (target as any)[prop],
    }) as KubeGateway;
    let now = new Date();
    const reconciler = Reconciler.create({
      gateways: [gateway],
      openStore: objectStoreFor,
      logger: mockServices.logger.mock(),
      now: () => now,
    });
    await kubeRequest(kube, 'PATCH', cr, {
      metadata: { annotations: { [TRIGGER_BACKUP_ANNOTATION]: 'first' } },
    });

    const observed: string[] = [];
    for (let pass = 0; pass < 40; pass++) {
      now = new Date(now.getTime() + 2000); // Job names have one-second resolution
      expect((await reconciler.tick()).errors).toEqual([]);
      const backup = (await kubeRequest(kube, 'GET', cr)).status?.backup;
      if (backup?.observedTrigger && observed.at(-1) !== backup.observedTrigger)
        observed.push(backup.observedTrigger);
      if (backup?.observedTrigger === 'second' && !backup.activeJob) break;
      await new Promise(r => setTimeout(r, 100)); // the simulated Job runs 20 ms
    }

    expect(raced).toBe(true);
    expect(observed).toEqual(['first', 'second']);
    const after = await kubeRequest(kube, 'GET', cr);
    // Consumed in its turn: the second run cleared its own value.
    expect(after.metadata.annotations?.[TRIGGER_BACKUP_ANNOTATION]).toBe(
      undefined,
    );
    const jobs = await kubeRequest(
      kube,
      'GET',
      `/apis/batch/v1/namespaces/${NS}/jobs`,
    );
    expect(
      jobs.items.map(
        (j: any) => j.metadata.annotations['openbao.org/trigger-value'],
      ),
    ).toEqual(['first', 'second']);
  }, 60_000);
});
