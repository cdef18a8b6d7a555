import { randomBytes } from 'node:crypto';
import { createServer as createHttpServer, Server } from 'node:http';
import { createServer as createHttpsServer } from 'node:https';
import { AddressInfo } from 'node:net';
import { stringify } from 'yaml';
import { FaultInjector } from './FaultInjector';
import { GarbageCollector } from './GarbageCollector';
import { JobController } from './JobController';
import { KubeApiServer, KubeApiServerOptions } from './KubeApiServer';
import { Kubelet, KubeletOptions } from './Kubelet';
import { NamespaceController } from './NamespaceController';
import { ObjectStore } from './ObjectStore';
import { KubeUser } from './rbac';
import { PodExecutor } from './PodExecutor';
import { selfSignedCertificate } from './selfSignedCertificate';
import { ServiceAccountTokenIssuer } from './ServiceAccountTokenIssuer';
import { createSimulatedPodExecutor } from './SimulatedPodExecutor';

export interface StartKubeApiOptions {
  /** Default 0 (any free port). */
  port?: number;
  /** Default 127.0.0.1. */
  host?: string;
  /** Accepted bearer tokens; default one random token (returned as `token`). */
  tokens?: string[];
  /**
   * Users whose requests RBAC checks against the Roles, ClusterRoles and bindings stored in the
   * double (a 403 Status otherwise); the `tokens` above stay unrestricted administrators.
   */
  users?: Array<KubeUser & { token: string }>;
  /** Told every RBAC decision about those users' requests. */
  onAuthorize?: KubeApiServerOptions['onAuthorize'];
  /** Serve HTTPS: `true` for a fresh self-signed certificate (returned as `caData`), or your own. */
  tls?: boolean | { cert: string; key: string };
  /** What runs Pods; default a simulated container that exits 0 (see createJobRunner for real ones). */
  podExecutor?: PodExecutor;
  /** Kubelet tuning (retry interval, image-pull shortcut, grace-period cap). */
  kubelet?: Omit<KubeletOptions, 'store' | 'executor'>;
  /** Run the kubelet, Job, namespace and garbage-collection controllers; default true. */
  controllers?: boolean;
  /** Namespaces to create at start, besides default, kube-system, kube-public, kube-node-lease. */
  namespaces?: string[];
  /** Default 60 000 ms, as the apiserver; tests use less. */
  bookmarkIntervalMs?: number;
  /** Change events kept per resource type for watch resumption; default 1000. */
  watchCacheSize?: number;
  /** Signs and verifies projected service-account tokens; its JWKS is served at /openid/v1/jwks. */
  serviceAccountIssuer?: ServiceAccountTokenIssuer;
}

export interface KubeApi {
  /** e.g. `http://127.0.0.1:41234` */
  url: string;
  /** The first accepted bearer token. */
  token: string;
  /** Base64 PEM of the serving certificate when TLS is on (kubeconfig `certificate-authority-data`). */
  caData?: string;
  server: Server;
  store: ObjectStore;
  faults: FaultInjector;
  serviceAccountIssuer: ServiceAccountTokenIssuer;
  kubelet?: Kubelet;
  /** A kubeconfig (YAML) for this server and token. */
  kubeconfig(options?: { name?: string; namespace?: string }): string;
  /**
   * An entry for `openbaoBackup.kubernetes.clusters[]` (docs/contract.md §5). Over plain http it sets
   * skipTLSVerify, because @kubernetes/client-node 1.4 refuses to send a token over http otherwise.
   */
  clusterConfig(name?: string): {
    name: string;
    url: string;
    authProvider: 'serviceAccount';
    serviceAccountToken: string;
    caData?: string;
    skipTLSVerify: boolean;
  };
  /** How many watch streams are open now (e.g. 0 once a client has stopped all its watches). */
  openWatches(): number;
  /** Stops controllers and containers, ends watches, closes the server. */
  stop(): Promise<void>;
}

const SYSTEM_NAMESPACES = [
  'default',
  'kube-system',
  'kube-public',
  'kube-node-lease',
];

/** Starts the Kubernetes API double in-process. */
export async function startKubeApi(
  options: StartKubeApiOptions = {},
): Promise<KubeApi> {
  const store = new ObjectStore({ watchCacheSize: options.watchCacheSize });
  const faults = new FaultInjector();
  const tokens = options.tokens?.length
    ? options.tokens
    : [randomBytes(24).toString('hex')];
  const issuer =
    options.serviceAccountIssuer ?? new ServiceAccountTokenIssuer();
  const namespaces = store.type('namespaces');
  for (const name of [...SYSTEM_NAMESPACES, ...(options.namespaces ?? [])]) {
    if (!store.get(namespaces, undefined, name)) {
      store.create(namespaces, {
        apiVersion: 'v1',
        kind: 'Namespace',
        metadata: { name },
      });
    }
  }

  const controllersOn = options.controllers ?? true;
  const kubelet = controllersOn
    ? new Kubelet({
        store,
        executor: options.podExecutor ?? createSimulatedPodExecutor(),
        ...options.kubelet,
      })
    : undefined;
  const controllers = controllersOn
    ? [
        new GarbageCollector(store),
        new NamespaceController(store),
        new JobController(store),
      ]
    : [];

  let address = '';
  const api = new KubeApiServer({
    store,
    faults,
    tokens,
    users: options.users,
    onAuthorize: options.onAuthorize,
    podLogs: kubelet,
    bookmarkIntervalMs: options.bookmarkIntervalMs,
    serviceAccountIssuer: issuer,
    serverAddress: () => address,
  });
  let caData: string | undefined;
  let server: Server;
  if (options.tls) {
    const pair =
      options.tls === true ? await selfSignedCertificate() : options.tls;
    caData = Buffer.from(pair.cert).toString('base64');
    server = createHttpsServer({ cert: pair.cert, key: pair.key }, api.handle);
  } else {
    server = createHttpServer(api.handle);
  }
  const host = options.host ?? '127.0.0.1';
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, host, () => resolve());
  });
  const port = (server.address() as AddressInfo).port;
  address = `${host}:${port}`;
  const url = `${options.tls ? 'https' : 'http'}://${address}`;

  return {
    url,
    token: tokens[0],
    caData,
    server,
    store,
    faults,
    serviceAccountIssuer: issuer,
    kubelet,
    openWatches: () => api.openWatches(),
    kubeconfig({ name = 'sandbox', namespace = 'default' } = {}) {
      return stringify({
        apiVersion: 'v1',
        kind: 'Config',
        clusters: [
          {
            name,
            cluster: {
              server: url,
              ...(caData ? { 'certificate-authority-data': caData } : {}),
            },
          },
        ],
        users: [{ name: `${name}-user`, user: { token: tokens[0] } }],
        contexts: [
          { name, context: { cluster: name, user: `${name}-user`, namespace } },
        ],
        'current-context': name,
      });
    },
    clusterConfig(name = 'sandbox') {
      return {
        name,
        url,
        authProvider: 'serviceAccount' as const,
        serviceAccountToken: tokens[0],
        ...(caData ? { caData } : {}),
        skipTLSVerify: !options.tls,
      };
    },
    async stop() {
      faults.clear();
      controllers.forEach(c => c.stop());
      api.closeWatches();
      await kubelet?.stop();
      await new Promise<void>(resolve => {
        server.close(() => resolve());
        server.closeAllConnections();
      });
    },
  };
}
