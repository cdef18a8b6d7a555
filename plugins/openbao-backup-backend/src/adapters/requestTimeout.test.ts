import { setTimeout as sleep } from 'node:timers/promises';
import {
  FaultProxy,
  KubeApi,
  kubeRequest,
  startFaultProxy,
  startKubeApi,
} from '@internal/openbao-backup-sandbox';
import {
  OpenBaoCluster,
  TRIGGER_BACKUP_ANNOTATION,
} from '@internal/plugin-openbao-backup-common';
import { crsPath } from '../__testUtils__/backupClusters';
import { ClientNodeKubeGateway } from './ClientNodeKubeGateway';

const NS = 'vault';

describe('ClientNodeKubeGateway request timeout', () => {
  let api: KubeApi;
  let proxy: FaultProxy;
  let gateway: ClientNodeKubeGateway;
  /** The API double over TLS, through the proxy. */
  const gatewayConfig = () => ({
    name: 'hung',
    url: `https://127.0.0.1:${proxy.port}`,
    caData: api.caData,
    serviceAccountToken: api.token,
    skipTLSVerify: false,
    authProvider: 'serviceAccount' as const,
  });
  beforeAll(async () => {
    api = await startKubeApi({
      tls: true,
      namespaces: [NS],
      controllers: false,
    });
    proxy = await startFaultProxy({ target: api.url.replace('https', 'http') });
    gateway = ClientNodeKubeGateway.create(gatewayConfig(), {
      requestTimeoutMs: 300,
    });
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

  const until = async (what: string, done: () => boolean) => {
    for (let i = 0; !done(); i++) {
      if (i > 400) throw new Error(`timed out waiting for ${what}`);
      await sleep(25);
    }
  };

  it('gives up a watch whose response headers never arrive after the request timeout and retries; once the server answers, a trigger set afterwards arrives through the watch', async () => {
    const path = `${crsPath(NS)}/w1`;
    await kubeRequest(api, 'POST', crsPath(NS), {
      apiVersion: 'openbao.org/v1alpha1',
      kind: 'OpenBaoCluster',
      metadata: { name: 'w1' },
      spec: { replicas: 1 },
    });
    const errors: Error[] = [];
    const seen: OpenBaoCluster[] = [];
    proxy.silent();
    const swallowedBefore = proxy.swallowed;
    const stop = gateway.watchClusters(
      c => seen.push(c),
      e => errors.push(e),
    );
    try {
      // Two attempts given up while the server is silent (2 s apart: the reconnect backoff).
      await until('the watch to give up twice', () => errors.length >= 2);
      expect(errors[0].message).toMatch(
        /Kubernetes API server hung \(.*\) did not answer within 0\.3 s/,
      );
      expect(proxy.swallowed - swallowedBefore).toBeGreaterThanOrEqual(2);
      expect(seen).toEqual([]);
      proxy.loud();
      await until('the watch to reconnect', () =>
        seen.some(c => c.metadata.name === 'w1'),
      );
      await kubeRequest(api, 'PATCH', path, {
        metadata: { annotations: { [TRIGGER_BACKUP_ANNOTATION]: 'after' } },
      });
      await until('the trigger to arrive through the watch', () =>
        seen.some(
          c => c.metadata.annotations?.[TRIGGER_BACKUP_ANNOTATION] === 'after',
        ),
      );
    } finally {
      stop();
      proxy.loud();
    }
  });

  it('stop cancels a watch still waiting for its response headers (long request timeout): the hung connection is closed, no error reported', async () => {
    const patient = ClientNodeKubeGateway.create(
      { ...gatewayConfig(), name: 'patient' },
      { requestTimeoutMs: 60_000 },
    );
    const errors: Error[] = [];
    proxy.silent();
    const swallowedBefore = proxy.swallowed;
    const closedBefore = proxy.swallowedClosedByClient;
    try {
      const stop = patient.watchClusters(
        () => {},
        e => errors.push(e),
      );
      await until(
        'the watch request to be swallowed',
        () => proxy.swallowed - swallowedBefore === 1,
      );
      stop();
      // Well within the 60 s headers deadline: without the cancel, nothing closes it before then.
      await until(
        'the watch connection to be closed by the client',
        () => proxy.swallowedClosedByClient - closedBefore === 1,
      );
      await sleep(100);
      expect({
        attempts: proxy.swallowed - swallowedBefore,
        errors: errors.map(e => e.message),
      }).toEqual({ attempts: 1, errors: [] });
    } finally {
      proxy.loud();
    }
  }, 15_000);
});
