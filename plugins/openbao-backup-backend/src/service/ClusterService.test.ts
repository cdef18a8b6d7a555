import { OpenBaoCluster } from '@internal/plugin-openbao-backup-common';
import { KubeGateway } from '../adapters/KubeGateway';
import { ClusterService } from './ClusterService';

const cluster = (name: string): OpenBaoCluster =>
  ({
    apiVersion: 'openbao.org/v1alpha1',
    kind: 'OpenBaoCluster',
    metadata: { name, namespace: 'vault' },
    spec: { backup: { schedule: '0 3 * * *' } },
  } as OpenBaoCluster);

/** Only what the fleet view calls. */
const gateway = (name: string, list: () => Promise<OpenBaoCluster[]>) =>
  ({ name, listClusters: list } as unknown as KubeGateway);

describe('ClusterService.fleet', () => {
  it('answers without an API server that does not list in time, naming it', async () => {
    const service = ClusterService.create({
      gateways: [
        gateway('east', async () => [cluster('bao-east')]),
        gateway('hung', () => new Promise<never>(() => {})),
      ],
      openStore: async () => {
        throw new Error('not used');
      },
      health: { staleFactor: 1, graceSeconds: 3600 },
      fleetServerTimeoutMs: 50,
    });
    const fleet = await service.fleet();
    expect(fleet.items.map(e => e.ref)).toEqual([
      { kubernetesCluster: 'east', namespace: 'vault', name: 'bao-east' },
    ]);
    expect(fleet.errors).toEqual([
      {
        kubernetesCluster: 'hung',
        message:
          'Kubernetes API server hung did not list its OpenBaoClusters within 0.05 s; its clusters are left out',
      },
    ]);
  });
});
