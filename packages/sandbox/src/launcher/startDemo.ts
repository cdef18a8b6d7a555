import { writeFile } from 'node:fs/promises';
import { stringify } from 'yaml';
import { KubeApi, kubeRequest as request, startKubeApi } from '../kube';
import { createJobRunner } from '../runner';
import { OpenBaoClusterHandle, startOpenBaoCluster } from '../openbao';
import { DEMO_CLUSTERS } from './demoClusters';
import { RegistryHandle, pushExecutorImages, startRegistry } from '../registry';

export interface StartDemoOptions {
  /** `node` command line that runs the executor bundle. */
  executorCommand: string[];
  s3: {
    endpoint: string;
    bucket: string;
    accessKeyId: string;
    secretAccessKey: string;
  };
  /** Where to write the backend's config fragment (`openbaoBackup.kubernetes.clusters`). */
  configPath: string;
  /** The first Kubernetes API double's port, the next ones follow; default any free ones. */
  port?: number;
  log?: (message: string) => void;
}

export interface Demo {
  /** One Kubernetes API double per Kubernetes cluster of the demo, by name (`kind-east` …). */
  kubes: Map<string, KubeApi>;
  openbao: OpenBaoClusterHandle[];
  /** OCI registry double holding the signed and unsigned executor images. */
  registry: RegistryHandle;
  stop(): Promise<void>;
}

/**
 * Starts the demo world: one OpenBao double per demo cluster, one Kubernetes API double (TLS) per
 * Kubernetes cluster, sharing one Job runner that runs the real executor, the demo OpenBaoClusters
 * with their Secrets, and the backend config fragment pointing at it all. Objects are seeded
 * through the API, like kubectl.
 */
export async function startDemo(options: StartDemoOptions): Promise<Demo> {
  const log = options.log ?? (() => {});
  const openbao: OpenBaoClusterHandle[] = [];
  const byNamespace = new Map<string, OpenBaoClusterHandle>();
  for (const c of DEMO_CLUSTERS) {
    const bao = await startOpenBaoCluster({
      pods: 3,
      leaderIndex: 1,
      tls: true,
      jwtRoles: [
        {
          name: 'backup',
          boundServiceAccounts: [`${c.namespace}/${c.name}-backup`],
        },
      ],
      snapshot: { stateSize: 8 * 1024 * 1024, seed: c.name },
    });
    openbao.push(bao);
    byNamespace.set(`${c.namespace}/${c.name}`, bao);
  }
  const runner = createJobRunner({
    images: { 'openbao-backup-executor': options.executorCommand },
    // Each cluster's projected token must be one its own OpenBao double accepts.
    issueServiceAccountToken: r => {
      const cluster = r.serviceAccount.replace(/-backup$/, '');
      const bao = byNamespace.get(`${r.namespace}/${cluster}`) ?? openbao[0];
      return bao.issueJwt({
        namespace: r.namespace,
        serviceAccount: r.serviceAccount,
        audience: r.audience,
      });
    },
  });
  const registry = await startRegistry({ auth: {} });
  const executorImages = pushExecutorImages(registry);
  const kubes = new Map<string, KubeApi>();
  for (const name of new Set(DEMO_CLUSTERS.map(c => c.kubernetesCluster))) {
    const mine = DEMO_CLUSTERS.filter(c => c.kubernetesCluster === name);
    kubes.set(
      name,
      await startKubeApi({
        tls: true,
        port: options.port ? options.port + kubes.size : undefined,
        namespaces: [...new Set(mine.map(c => c.namespace))],
        podExecutor: runner,
      }),
    );
  }

  for (const c of DEMO_CLUSTERS) {
    const bao = byNamespace.get(`${c.namespace}/${c.name}`)!;
    const kube = kubes.get(c.kubernetesCluster)!;
    const ns = `/api/v1/namespaces/${c.namespace}`;
    await request(kube, 'POST', `${ns}/secrets`, {
      metadata: { name: `${c.name}-s3` },
      stringData: {
        accessKeyId: options.s3.accessKeyId,
        secretAccessKey: options.s3.secretAccessKey,
      },
    });
    await request(kube, 'POST', `${ns}/secrets`, {
      metadata: { name: `${c.name}-tls` },
      stringData: { 'ca.crt': bao.caCertPem },
    });
    await request(kube, 'POST', `${ns}/serviceaccounts`, {
      metadata: { name: `${c.name}-backup` },
    });
    const path = `/apis/openbao.org/v1alpha1/namespaces/${c.namespace}/openbaoclusters`;
    await request(kube, 'POST', path, {
      apiVersion: 'openbao.org/v1alpha1',
      kind: 'OpenBaoCluster',
      metadata: {
        name: c.name,
        annotations: {
          'openbao.org/backup-addresses': bao.addresses.join(','),
          'openbao.org/description': c.description,
        },
      },
      spec: {
        replicas: 3,
        backup: {
          schedule: c.schedule,
          executorImage: c.verifyImage
            ? executorImages.signed
            : 'ghcr.io/example/openbao-backup-executor:0.1.0',
          jwtAuthRole: c.jwtAuthRole,
          target: {
            endpoint: options.s3.endpoint,
            bucket: options.s3.bucket,
            pathPrefix: 'openbao',
            region: 'us-east-1',
            usePathStyle: true,
            credentialsSecretRef: { name: `${c.name}-s3` },
            partSize: 5 * 1024 * 1024,
            concurrency: 2,
          },
          ...(c.retention ? { retention: c.retention } : {}),
          activeDeadlineSeconds: 300,
        },
        ...(c.verifyImage
          ? {
              imageVerification: {
                enabled: true,
                failurePolicy: 'Block',
                publicKey: registry.publicKeyPem,
              },
            }
          : {}),
      },
    });
    await request(kube, 'PATCH', `${path}/${c.name}/status`, {
      status: { phase: c.phase, ...(c.upgrade ? { upgrade: c.upgrade } : {}) },
    });
    log(
      `OpenBaoCluster ${c.kubernetesCluster}/${c.namespace}/${c.name}: ${c.description}`,
    );
  }

  await writeFile(
    options.configPath,
    `# Written by the sandbox launcher (packages/sandbox); regenerated on every start.\n${stringify(
      {
        openbaoBackup: {
          reconcileInterval: { seconds: 5 },
          job: { allowAddressOverride: true },
          kubernetes: {
            clusters: [...kubes].map(([name, kube]) =>
              kube.clusterConfig(name),
            ),
          },
        },
      },
    )}`,
    { mode: 0o600 },
  );
  for (const [name, kube] of kubes) {
    log(`Kubernetes API double ${name} at ${kube.url}`);
  }
  log(`backend config written to ${options.configPath}`);
  log(
    `OCI registry double at ${registry.url}: ${executorImages.signed} (signed), ${executorImages.unsigned} (unsigned)`,
  );

  return {
    kubes,
    openbao,
    registry,
    async stop() {
      await runner.stopAll();
      await Promise.all([...kubes.values()].map(k => k.stop()));
      await registry.stop();
      await Promise.all(openbao.map(b => b.stop()));
    },
  };
}
