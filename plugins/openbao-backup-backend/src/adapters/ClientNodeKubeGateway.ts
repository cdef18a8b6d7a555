import {
  ApiException,
  BatchV1Api,
  CoreV1Api,
  CustomObjectsApi,
  KubeConfig,
  PatchStrategy,
  ServerConfiguration,
  createConfiguration,
  setHeaderOptions,
  Watch,
} from '@kubernetes/client-node';
import {
  ConflictError,
  ForwardedError,
  NotAllowedError,
} from '@backstage/errors';
import {
  ANNOTATION_RUN_AT,
  COMPONENT_VALUE,
  LABEL_CLUSTER,
  LABEL_COMPONENT,
  OPENBAO_API_GROUP,
  OPENBAO_API_VERSION,
  OPENBAO_CLUSTER_PLURAL,
  OPENBAO_RESTORE_PLURAL,
  OpenBaoCluster,
  OpenBaoRestore,
} from '@internal/plugin-openbao-backup-common';
import { JobLike, ObservedCluster, PodLike, secretsToObserve } from '../core';
import { removeAnnotationIfEquals } from './annotationPatch';
import { KubernetesClusterConfig } from '../config';
import {
  ClusterEvent,
  JobManifest,
  KubeGateway,
  WatchEventType,
} from './KubeGateway';
import {
  KubeApiTimeoutError,
  RequestTimeout,
  timedHttpLibrary,
} from './timedHttpLibrary';
import { ServerClock } from './ServerClock';

const mergePatch = setHeaderOptions('Content-Type', PatchStrategy.MergePatch);
const jsonPatch = setHeaderOptions('Content-Type', PatchStrategy.JsonPatch);
const FIELD_MANAGER = 'openbao-backup';
/** Secret reads in flight at once during a pass. */
const SECRET_READS_AT_ONCE = 16;
/** Default of `openbaoBackup.kubernetes.requestTimeout`. */
export const DEFAULT_REQUEST_TIMEOUT_MS = 30_000;
const LABEL_VALUE = /^(?=.{1,63}$)[A-Za-z0-9]([-A-Za-z0-9_.]*[A-Za-z0-9])?$/;

/** What is read of any listed object to tell whose it is. */
type Labelled = {
  metadata?: { namespace?: string; labels?: Record<string, string> };
};

function isNotFound(e: unknown) {
  return e instanceof ApiException && e.code === 404;
}

/**
 * The apiserver's own sentence instead of client-node's dump (code, escaped body, headers), e.g.
 * `HTTP 403 Forbidden: jobs.batch is forbidden: User "…" cannot create resource "jobs" …`.
 */
export function kubeApiCause(e: unknown): unknown {
  if (!(e instanceof ApiException)) return e;
  let status: { reason?: string; message?: string } | undefined;
  try {
    status = typeof e.body === 'string' ? JSON.parse(e.body) : e.body;
  } catch {
    status = undefined;
  }
  if (!status?.message) return e;
  const error = new Error(
    `HTTP ${e.code}${status.reason ? ` ${status.reason}` : ''}: ${
      status.message
    }`,
  );
  error.name = 'KubernetesApiError';
  return error;
}

/** What a watch's connection goes through: client-node creates one per `applyToFetchOptions`. */
type DestroyableAgent = { destroy(): void };

/**
 * One watch attempt, with a deadline on its response headers and cancellable at any time.
 * client-node's Watch reads its fetch options from the KubeConfig: node-fetch's `timeout` there
 * runs from the socket's creation until the response headers (not over the streamed body), so a
 * server that never answers fails the attempt after `headersTimeoutMs` instead of hanging
 * silently. client-node hands out the watch's own abort handle only once the headers have
 * arrived, so `cancel` also destroys the attempt's agent (client-node makes a fresh one per
 * attempt), which closes a request still waiting for them.
 */
export function cancellableWatch(
  kc: KubeConfig,
  headersTimeoutMs: number,
): {
  watch: Watch;
  cancel: () => void;
} {
  let cancelled = false;
  let agent: DestroyableAgent | undefined;
  const own = Object.create(kc) as KubeConfig;
  own.applyToFetchOptions = async opts => {
    const options = await kc.applyToFetchOptions(opts);
    agent = options.agent as DestroyableAgent | undefined;
    if (cancelled) {
      agent?.destroy();
      throw new Error('watch stopped');
    }
    return { ...options, timeout: headersTimeoutMs };
  };
  return {
    watch: new Watch(own),
    cancel: () => {
      cancelled = true;
      agent?.destroy();
    },
  };
}

/** node-fetch's error when `timeout` ran out before the response headers. */
function isHeadersTimeout(error: unknown): boolean {
  return (
    (error as { name?: string; type?: string } | undefined)?.name ===
      'FetchError' && (error as { type?: string }).type === 'request-timeout'
  );
}

/** Builds a client-node KubeConfig from one configured cluster. */
export function kubeConfigFor(cluster: KubernetesClusterConfig): KubeConfig {
  const kc = new KubeConfig();
  if (cluster.authProvider === 'inCluster') {
    kc.loadFromCluster();
  } else if (cluster.authProvider === 'kubeconfig') {
    kc.loadFromDefault();
  } else {
    kc.loadFromClusterAndUser(
      {
        name: cluster.name,
        server: cluster.url!,
        caData: cluster.caData,
        caFile: cluster.caFile,
        skipTLSVerify: cluster.skipTLSVerify,
      },
      { name: `${cluster.name}-sa`, token: cluster.serviceAccountToken },
    );
  }
  return kc;
}

/** {@link KubeGateway} on `@kubernetes/client-node`: the only module importing it. */
export class ClientNodeKubeGateway implements KubeGateway {
  readonly name: string;
  readonly #namespaces?: string[];
  readonly #custom: CustomObjectsApi;
  readonly #batch: BatchV1Api;
  readonly #core: CoreV1Api;
  /** What watches read their fetch options from (each attempt wraps it: see cancellableWatch). */
  readonly #kc: KubeConfig;
  /** The request deadline, also the deadline of a watch's response headers. */
  readonly #timeout: RequestTimeout;
  /** The API server's time from its responses' `Date` headers (see ObservedCluster.serverTime). */
  readonly #serverClock = new ServerClock();

  /**
   * `requestTimeoutMs` bounds every request, and a watch until its response headers (default 30 s):
   * a hung API server fails its callers with a `KubeApiTimeoutError` instead of holding them for
   * ever, and a watch is retried.
   */
  static create(
    cluster: KubernetesClusterConfig,
    options: { requestTimeoutMs?: number } = {},
  ): ClientNodeKubeGateway {
    return new ClientNodeKubeGateway(
      cluster,
      kubeConfigFor(cluster),
      options.requestTimeoutMs ?? DEFAULT_REQUEST_TIMEOUT_MS,
    );
  }

  private constructor(
    cluster: KubernetesClusterConfig,
    kc: KubeConfig,
    requestTimeoutMs: number,
  ) {
    this.name = cluster.name;
    this.#namespaces = cluster.namespaces;
    // As kc.makeApiClient, plus the request deadline (client-node's `httpApi` extension point).
    const server = kc.getCurrentCluster()?.server ?? cluster.url ?? '';
    const configuration = createConfiguration({
      baseServer: new ServerConfiguration(server, {}),
      authMethods: { default: kc },
      httpApi: timedHttpLibrary({
        name: cluster.name,
        server,
        timeoutMs: requestTimeoutMs,
        onResponse: headers => this.#serverClock.observe(headers.date),
      }),
    });
    this.#custom = new CustomObjectsApi(configuration);
    this.#batch = new BatchV1Api(configuration);
    this.#core = new CoreV1Api(configuration);
    // Watches have no total deadline; client-node keeps their sockets alive with TCP keep-alive.
    // Their establishment has one: a server that never sends the headers fails the attempt.
    this.#kc = kc;
    this.#timeout = { name: cluster.name, server, timeoutMs: requestTimeoutMs };
  }

  watchClusters(
    onChange: (cluster: OpenBaoCluster) => void,
    onError: (error: Error) => void,
    onDeleted?: (cluster: OpenBaoCluster) => void,
  ): () => void {
    const base = `/apis/${OPENBAO_API_GROUP}/${OPENBAO_API_VERSION}`;
    return this.#watchEach(
      this.#namespaces
        ? this.#namespaces.map(
            ns => `${base}/namespaces/${ns}/${OPENBAO_CLUSTER_PLURAL}`,
          )
        : [`${base}/${OPENBAO_CLUSTER_PLURAL}`],
      {},
      (type, obj) =>
        type === 'DELETED'
          ? onDeleted?.(obj as OpenBaoCluster)
          : onChange(obj as OpenBaoCluster),
      onError,
    );
  }

  watchJobs(
    onEvent: (type: WatchEventType, job: JobLike) => void,
    onError: (error: Error) => void,
  ): () => void {
    return this.#watchEach(
      this.#namespaces
        ? this.#namespaces.map(ns => `/apis/batch/v1/namespaces/${ns}/jobs`)
        : ['/apis/batch/v1/jobs'],
      { labelSelector: `${LABEL_COMPONENT}=${COMPONENT_VALUE}` },
      (type, obj) => onEvent(type, obj as JobLike),
      onError,
    );
  }

  /**
   * One watch per path, each resumed from its last resourceVersion when the connection ends
   * (at once after a clean end, 2 s after an error, a watch without headers within the request
   * timeout included; from now after 410 Gone). The returned function stops them all, an attempt
   * still waiting for the server's first answer included (its connection is closed at once).
   */
  #watchEach(
    paths: string[],
    query: Record<string, string>,
    onEvent: (type: WatchEventType, obj: any) => void,
    onError: (error: Error) => void,
  ): () => void {
    let stopped = false;
    /** Cancels each attempt not yet ended, its request included if still without an answer. */
    const attempts = new Set<() => void>();
    const run = (path: string, resourceVersion?: string) => {
      if (stopped) return;
      let last = resourceVersion;
      const attempt = cancellableWatch(this.#kc, this.#timeout.timeoutMs);
      let established: AbortController | undefined;
      const cancel = () => {
        attempt.cancel();
        established?.abort();
      };
      attempts.add(cancel);
      const restart = (error?: unknown) => {
        attempts.delete(cancel);
        if (stopped) return;
        if (isHeadersTimeout(error))
          onError(new KubeApiTimeoutError(this.#timeout));
        else if (error)
          onError(error instanceof Error ? error : new Error(String(error)));
        // A gone resourceVersion (410) means start over from now; otherwise resume.
        const gone = (error as { statusCode?: number })?.statusCode === 410;
        setTimeout(
          () => run(path, gone ? undefined : last),
          error ? 2000 : 0,
        ).unref?.();
      };
      attempt.watch
        .watch(
          path,
          {
            ...query,
            allowWatchBookmarks: true,
            ...(last ? { resourceVersion: last } : {}),
          },
          (phase, obj) => {
            last = obj?.metadata?.resourceVersion ?? last;
            if (phase === 'ERROR') {
              const code = obj?.code;
              if (code === 410) last = undefined;
              return;
            }
            if (
              phase === 'ADDED' ||
              phase === 'MODIFIED' ||
              phase === 'DELETED'
            )
              onEvent(phase, obj);
          },
          err => restart(err),
        )
        // client-node's abort handle, once the headers have arrived.
        .then(
          c => (stopped ? c.abort() : (established = c)),
          err => restart(err),
        );
    };
    paths.forEach(p => run(p));
    return () => {
      stopped = true;
      attempts.forEach(cancel => cancel());
      attempts.clear();
    };
  }

  async listClusters(): Promise<OpenBaoCluster[]> {
    const base = {
      group: OPENBAO_API_GROUP,
      version: OPENBAO_API_VERSION,
      plural: OPENBAO_CLUSTER_PLURAL,
    };
    try {
      if (!this.#namespaces) {
        return await this.#listAll<OpenBaoCluster>(_continue =>
          this.#custom.listClusterCustomObject({
            ...base,
            _continue,
            limit: 500,
          }),
        );
      }
      const perNamespace = await Promise.all(
        this.#namespaces.map(namespace =>
          this.#listAll<OpenBaoCluster>(_continue =>
            this.#custom.listNamespacedCustomObject({
              ...base,
              namespace,
              _continue,
              limit: 500,
            }),
          ),
        ),
      );
      return perNamespace.flat();
    } catch (e) {
      throw new ForwardedError(
        `list OpenBaoClusters in ${this.name}`,
        kubeApiCause(e),
      );
    }
  }

  /** Every page of a list (custom objects spell the token `continue`, typed lists `_continue`). */
  async #listAll<T>(
    page: (cont?: string) => Promise<{
      items: T[];
      metadata?: { continue?: string; _continue?: string };
    }>,
  ): Promise<T[]> {
    const items: T[] = [];
    let cont: string | undefined;
    do {
      const list = await page(cont);
      items.push(...list.items);
      cont = list.metadata?.continue || list.metadata?._continue || undefined;
    } while (cont);
    return items;
  }

  async getCluster(namespace: string, name: string) {
    try {
      return (await this.#custom.getNamespacedCustomObject({
        group: OPENBAO_API_GROUP,
        version: OPENBAO_API_VERSION,
        plural: OPENBAO_CLUSTER_PLURAL,
        namespace,
        name,
      })) as OpenBaoCluster;
    } catch (e) {
      if (isNotFound(e)) return undefined;
      throw new ForwardedError(
        `read OpenBaoCluster ${namespace}/${name}`,
        kubeApiCause(e),
      );
    }
  }

  async listRestores(namespace: string): Promise<OpenBaoRestore[]> {
    try {
      const list = await this.#custom.listNamespacedCustomObject({
        group: OPENBAO_API_GROUP,
        version: OPENBAO_API_VERSION,
        plural: OPENBAO_RESTORE_PLURAL,
        namespace,
      });
      return list.items as OpenBaoRestore[];
    } catch (e) {
      // A cluster without the OpenBaoRestore CRD has no restores in flight.
      if (isNotFound(e)) return [];
      throw new ForwardedError(
        `list OpenBaoRestores in ${namespace}`,
        kubeApiCause(e),
      );
    }
  }

  async observe(cluster: OpenBaoCluster): Promise<ObservedCluster> {
    const { namespace, name } = cluster.metadata;
    const labelSelector = `${LABEL_CLUSTER}=${name},${LABEL_COMPONENT}=${COMPONENT_VALUE}`;
    // A name that cannot be a label value (e.g. 64+ characters) has no Jobs of ours, and the API
    // server would refuse the selector: the validator reports the name instead.
    const labelable = LABEL_VALUE.test(name);
    const [secrets, restores, jobs, podList] = await Promise.all([
      Promise.all(
        secretsToObserve(cluster).map(s => this.#secretKeys(namespace, s)),
      ),
      this.listRestores(namespace),
      (labelable
        ? this.#batch.listNamespacedJob({ namespace, labelSelector })
        : Promise.resolve({ items: [] })
      )
        .then(l => l.items as JobLike[])
        .catch(e => {
          throw new ForwardedError(
            `list backup Jobs of ${namespace}/${name}`,
            kubeApiCause(e),
          );
        }),
      // The Job's pod template carries the same labels; Pods explain image pulls and exit codes.
      (labelable
        ? this.#core.listNamespacedPod({ namespace, labelSelector })
        : Promise.resolve({ items: [] })
      ).catch(e => {
        throw new ForwardedError(
          `list backup Pods of ${namespace}/${name}`,
          kubeApiCause(e),
        );
      }),
    ]);
    return this.#observed(
      cluster,
      secrets.filter(<T>(s: T | undefined): s is T => Boolean(s)),
      restores,
      jobs,
      podList.items as Array<PodLike & Labelled>,
    );
  }

  /** The observation of one cluster from what was read (Jobs and Pods already its own). */
  #observed(
    cluster: OpenBaoCluster,
    secrets: ObservedCluster['secrets'],
    restores: OpenBaoRestore[],
    jobs: JobLike[],
    podList: Array<PodLike & Labelled>,
  ): ObservedCluster {
    const { namespace, name } = cluster.metadata;
    const pods: Record<string, PodLike[]> = {};
    for (const pod of podList) {
      const jobName = pod.metadata?.labels?.['job-name'];
      if (jobName) (pods[jobName] ??= []).push(pod);
    }
    return {
      ref: { kubernetesCluster: this.name, namespace, name },
      cluster,
      secrets,
      restores,
      jobs,
      pods,
      serverTime: this.#serverClock.now(),
    };
  }

  async observeAll(
    clusters: OpenBaoCluster[],
  ): Promise<Map<string, ObservedCluster | Error>> {
    const labelSelector = `${LABEL_COMPONENT}=${COMPONENT_VALUE}`;
    // Where to list: the configured namespaces, or the whole cluster in one request per kind.
    const scopes: Array<string | undefined> = this.#namespaces ?? [undefined];
    type Page<T> = { items: T[]; metadata?: { _continue?: string } };
    type Query = { labelSelector: string; _continue?: string; limit: number };
    /** Every backup object of one kind in every scope, all pages. */
    const listEverywhere = <T>(
      what: string,
      inNamespace: (q: Query & { namespace: string }) => Promise<Page<T>>,
      inAll: (q: Query) => Promise<Page<T>>,
    ) =>
      Promise.all(
        scopes.map(namespace =>
          this.#listAll<T>(_continue => {
            const query = { labelSelector, _continue, limit: 500 };
            return namespace
              ? inNamespace({ ...query, namespace })
              : inAll(query);
          }).catch(e => {
            throw new ForwardedError(
              `list ${what} in ${namespace ?? 'all namespaces'}`,
              kubeApiCause(e),
            );
          }),
        ),
      ).then(l => l.flat());
    const [jobs, pods, restores, secrets] = await Promise.all([
      listEverywhere(
        'backup Jobs',
        q => this.#batch.listNamespacedJob(q),
        q => this.#batch.listJobForAllNamespaces(q),
      ) as Promise<Array<JobLike & Labelled>>,
      listEverywhere(
        'backup Pods',
        q => this.#core.listNamespacedPod(q),
        q => this.#core.listPodForAllNamespaces(q),
      ) as Promise<Array<PodLike & Labelled>>,
      Promise.all(scopes.map(namespace => this.#allRestores(namespace))).then(
        l => l.flat(),
      ),
      this.#secretsOnce(clusters),
    ]);
    const result = new Map<string, ObservedCluster | Error>();
    const ofCluster = <T extends Labelled>(items: T[], c: OpenBaoCluster) =>
      items.filter(
        i =>
          i.metadata?.namespace === c.metadata.namespace &&
          i.metadata?.labels?.[LABEL_CLUSTER] === c.metadata.name,
      );
    for (const cluster of clusters) {
      const { namespace, name } = cluster.metadata;
      const own = secretsToObserve(cluster).map(s =>
        secrets.get(`${namespace}/${s}`),
      );
      const failed = own.find((s): s is Error => s instanceof Error);
      result.set(
        `${namespace}/${name}`,
        failed ??
          this.#observed(
            cluster,
            own.filter(
              (s): s is { name: string; keys: string[] } =>
                !!s && !(s instanceof Error),
            ),
            restores.filter(r => r.metadata?.namespace === namespace),
            ofCluster(jobs, cluster),
            ofCluster(pods, cluster),
          ),
      );
    }
    return result;
  }

  async #allRestores(namespace?: string): Promise<OpenBaoRestore[]> {
    if (namespace) return this.listRestores(namespace);
    try {
      const list = await this.#custom.listClusterCustomObject({
        group: OPENBAO_API_GROUP,
        version: OPENBAO_API_VERSION,
        plural: OPENBAO_RESTORE_PLURAL,
      });
      return list.items as OpenBaoRestore[];
    } catch (e) {
      if (isNotFound(e)) return [];
      throw new ForwardedError(
        'list OpenBaoRestores in all namespaces',
        kubeApiCause(e),
      );
    }
  }

  /**
   * The key names of every Secret the clusters reference, each read once (a few at a time): a
   * failed read is kept as the Error of the clusters that need it, not of the whole pass.
   */
  async #secretsOnce(clusters: OpenBaoCluster[]) {
    const wanted = [
      ...new Set(
        clusters.flatMap(c =>
          secretsToObserve(c).map(s => `${c.metadata.namespace}/${s}`),
        ),
      ),
    ];
    const found = new Map<
      string,
      { name: string; keys: string[] } | undefined | Error
    >();
    for (let i = 0; i < wanted.length; i += SECRET_READS_AT_ONCE) {
      await Promise.all(
        wanted.slice(i, i + SECRET_READS_AT_ONCE).map(async key => {
          const [namespace, name] = key.split('/');
          found.set(
            key,
            await this.#secretKeys(namespace, name).catch((e: Error) => e),
          );
        }),
      );
    }
    return found;
  }

  async #secretKeys(namespace: string, name: string) {
    try {
      const secret = await this.#core.readNamespacedSecret({ namespace, name });
      return {
        name,
        keys: Object.keys({ ...secret.data, ...secret.stringData }),
      };
    } catch (e) {
      if (isNotFound(e)) return undefined;
      throw new ForwardedError(
        `read Secret ${namespace}/${name}`,
        kubeApiCause(e),
      );
    }
  }

  async readSecretData(namespace: string, name: string) {
    try {
      const secret = await this.#core.readNamespacedSecret({ namespace, name });
      return Object.fromEntries(
        Object.entries(secret.data ?? {}).map(([k, v]) => [
          k,
          Buffer.from(v, 'base64').toString('utf8'),
        ]),
      );
    } catch (e) {
      if (isNotFound(e)) return undefined;
      throw new ForwardedError(
        `read Secret ${namespace}/${name}`,
        kubeApiCause(e),
      );
    }
  }

  async createJob(job: JobManifest): Promise<JobLike> {
    const { namespace, name } = job.metadata;
    try {
      return (await this.#batch.createNamespacedJob({
        namespace,
        body: job as any,
        fieldManager: FIELD_MANAGER,
      })) as JobLike;
    } catch (e) {
      if (e instanceof ApiException && e.code === 409) {
        // Another pass (or replica) created this very run first: adopt it rather than create a
        // twin. A Job of that name for another run (same second) must not be taken for ours.
        const existing = (await this.#batch.readNamespacedJob({
          namespace,
          name,
        })) as JobLike;
        const runAt = (j: JobLike) =>
          j.metadata?.annotations?.[ANNOTATION_RUN_AT];
        if (runAt(existing) !== runAt(job)) {
          throw new ConflictError(
            `Job ${namespace}/${name} already exists for another run (run-at ${runAt(
              existing,
            )})`,
          );
        }
        return existing;
      }
      if (e instanceof ConflictError) throw e;
      throw new ForwardedError(
        `create Job ${namespace}/${name}`,
        kubeApiCause(e),
      );
    }
  }

  async deleteJob(namespace: string, name: string) {
    try {
      await this.#batch.deleteNamespacedJob({
        namespace,
        name,
        propagationPolicy: 'Background',
      });
    } catch (e) {
      if (isNotFound(e)) return;
      throw new ForwardedError(
        `delete Job ${namespace}/${name}`,
        kubeApiCause(e),
      );
    }
  }

  async deletePod(namespace: string, name: string) {
    try {
      // No gracePeriodSeconds: the pod's terminationGracePeriodSeconds lets the executor abort.
      await this.#core.deleteNamespacedPod({ namespace, name });
    } catch (e) {
      if (isNotFound(e)) return;
      if (e instanceof ApiException && e.code === 403) {
        throw new NotAllowedError(
          `delete Pod ${namespace}/${name}: the backend may not delete pods (the chart's RBAC grants delete on pods)`,
          kubeApiCause(e),
        );
      }
      throw new ForwardedError(
        `delete Pod ${namespace}/${name}`,
        kubeApiCause(e),
      );
    }
  }

  async patchClusterStatus(namespace: string, name: string, patch: object) {
    try {
      await this.#patchCluster(namespace, name, patch, mergePatch, 'status');
    } catch (e) {
      // A conflict is the caller's to retry with a fresh read (see writeStatus).
      if (e instanceof ApiException && e.code === 409) {
        throw new ConflictError(
          `patch status of ${namespace}/${name}: conflict`,
          e,
        );
      }
      throw new ForwardedError(
        `patch status of ${namespace}/${name}`,
        kubeApiCause(e),
      );
    }
  }

  /** A patch of one OpenBaoCluster, or of its status subresource. */
  #patchCluster(
    namespace: string,
    name: string,
    body: object,
    strategy: typeof mergePatch,
    subresource?: 'status',
  ) {
    const request = {
      group: OPENBAO_API_GROUP,
      version: OPENBAO_API_VERSION,
      plural: OPENBAO_CLUSTER_PLURAL,
      namespace,
      name,
      body,
      fieldManager: FIELD_MANAGER,
    };
    return subresource === 'status'
      ? this.#custom.patchNamespacedCustomObjectStatus(request, strategy)
      : this.#custom.patchNamespacedCustomObject(request, strategy);
  }

  async setClusterAnnotation(
    namespace: string,
    name: string,
    key: string,
    value: string,
  ) {
    try {
      await this.#patchCluster(
        namespace,
        name,
        { metadata: { annotations: { [key]: value } } },
        mergePatch,
      );
    } catch (e) {
      throw new ForwardedError(
        `annotate ${namespace}/${name}`,
        kubeApiCause(e),
      );
    }
  }

  async removeClusterAnnotation(
    namespace: string,
    name: string,
    key: string,
    value: string,
  ) {
    try {
      await this.#patchCluster(
        namespace,
        name,
        removeAnnotationIfEquals(key, value),
        jsonPatch,
      );
      return true;
    } catch (e) {
      // 422: the `test` op failed, the annotation holds another value (or none) now.
      if (e instanceof ApiException && e.code === 422) return false;
      if (isNotFound(e)) return false;
      throw new ForwardedError(
        `remove annotation ${key} of ${namespace}/${name}`,
        kubeApiCause(e),
      );
    }
  }

  async recordEvent(cluster: OpenBaoCluster, event: ClusterEvent) {
    const { namespace, name, uid } = cluster.metadata;
    const now = new Date();
    try {
      await this.#core.createNamespacedEvent({
        namespace,
        body: {
          metadata: { generateName: `${name}.`, namespace },
          involvedObject: {
            apiVersion: `${OPENBAO_API_GROUP}/${OPENBAO_API_VERSION}`,
            kind: 'OpenBaoCluster',
            name,
            namespace,
            uid,
          },
          type: event.type,
          reason: event.reason,
          message: event.message.slice(0, 1024),
          source: { component: 'backstage-openbao-backup' },
          firstTimestamp: now,
          lastTimestamp: now,
          count: 1,
          reportingComponent: 'backstage-openbao-backup',
        },
      });
    } catch (e) {
      throw new ForwardedError(
        `record Event on ${namespace}/${name}`,
        kubeApiCause(e),
      );
    }
  }
}
