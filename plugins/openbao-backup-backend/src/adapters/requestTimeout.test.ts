import {
  FaultProxy,
  KubeApi,
  startFaultProxy,
  startKubeApi,
} from '@internal/openbao-backup-sandbox';
import { ClientNodeKubeGateway } from './ClientNodeKubeGateway';

const NS = 'vault';

describe('ClientNodeKubeGateway request timeout', () => {
  let api: KubeApi;
  let proxy: FaultProxy;
  let gateway: ClientNodeKubeGateway;
  beforeAll(async () => {
    api = await startKubeApi({
      tls: true,
      namespaces: [NS],
      controllers: false,
    });
    proxy = await startFaultProxy({ target: api.url.replace('https', 'http') });
    gateway = ClientNodeKubeGateway.create(
      {
        name: 'hung',
        url: `https://127.0.0.1:${proxy.port}`,
        caData: api.caData,
        serviceAccountToken: api.token,
        skipTLSVerify: false,
        authProvider: 'serviceAccount',
      },
      { requestTimeoutMs: 300 },
    );
  });
  afterAll(async () => {
    await proxy?.stop();
    await api?.stop();
  });

  it('fails a request to a server that accepts the connection and never answers, naming the server and the timeout', async () => {
    await expect(gateway.listClusters()).resolves.toEqual([]);
    proxy.silent();
    try {
      await expect(gateway.listClusters()).rejects.toThrow(
        `list OpenBaoClusters in hung; caused by KubeApiTimeoutError: Kubernetes API server hung (https://127.0.0.1:${proxy.port}) did not answer within 0.3 s (openbaoBackup.kubernetes.requestTimeout)`,
      );
      await expect(gateway.getCluster(NS, 'x')).rejects.toThrow(
        /did not answer within 0\.3 s/,
      );
      expect(proxy.swallowed).toBeGreaterThanOrEqual(2);
    } finally {
      proxy.loud();
    }
    // The next request after the server is back succeeds.
    await expect(gateway.getCluster(NS, 'x')).resolves.toBeUndefined();
  });
});
