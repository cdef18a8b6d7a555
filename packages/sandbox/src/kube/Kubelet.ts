import { controllerLoop } from './controllerLoop';
import { PodLogSource } from './servePodLog';
import { ObjectStore, timestamp } from './ObjectStore';
import { ContainerExit, PodExecution, PodExecutor } from './PodExecutor';
import {
  failedToStartPodStatus,
  isTerminalPod,
  runningPodStatus,
  terminatedPodStatus,
  waitingPodStatus,
} from './podStatus';
import { KubeObject } from './types';

export interface KubeletOptions {
  store: ObjectStore;
  executor: PodExecutor;
  nodeName?: string;
  /** How often a container that could not start is tried again; default 500 ms. */
  retryMs?: number;
  /**
   * The sandbox's shortcut: a Pod stuck in ErrImagePull/ImagePullBackOff this long is marked
   * Failed, so its Job fails without waiting for its deadline. `null` keeps Kubernetes' behaviour
   * (wait forever). Default 2000 ms.
   */
  imagePullFailAfterMs?: number | null;
  /** Upper bound on a Pod's grace period, so tests and demos do not wait 30 s; default none. */
  maxGracePeriodMs?: number;
}

interface Tracked {
  state: 'starting' | 'waiting' | 'running' | 'done';
  execution?: PodExecution;
  firstWaitAt?: number;
  retryTimer?: NodeJS.Timeout;
  stopping?: boolean;
  log: string;
}

const IMAGE_PULL_REASONS = [
  'ErrImagePull',
  'ImagePullBackOff',
  'InvalidImageName',
];

/**
 * The node: binds every Pod to itself, starts its container through the PodExecutor, reports
 * waiting/running/terminated status, and performs graceful deletion (SIGTERM, grace, SIGKILL,
 * then the Pod object is removed).
 */
export class Kubelet implements PodLogSource {
  #o: Required<
    Omit<KubeletOptions, 'imagePullFailAfterMs' | 'maxGracePeriodMs'>
  > &
    Pick<KubeletOptions, 'imagePullFailAfterMs' | 'maxGracePeriodMs'>;
  #pods = new Map<string, Tracked>();
  #loop = controllerLoop(() => this.#sweep());
  #unsubscribe: () => void;
  #stopped = false;

  constructor(options: KubeletOptions) {
    this.#o = { nodeName: 'sandbox-node', retryMs: 500, ...options };
    this.#unsubscribe = options.store.subscribe(e => {
      if (e.resource.kind === 'Pod') this.#loop.kick();
    });
    this.#loop.kick();
  }

  podLog(
    pod: KubeObject,
  ): { log: string; running?: boolean } | { waiting: string } {
    const tracked = this.#pods.get(pod.metadata.uid!);
    if (
      !tracked ||
      tracked.state === 'starting' ||
      tracked.state === 'waiting'
    ) {
      const waiting =
        pod.status?.containerStatuses?.[0]?.state?.waiting?.reason;
      return {
        waiting: IMAGE_PULL_REASONS.includes(waiting)
          ? 'trying and failing to pull image'
          : waiting ?? 'ContainerCreating',
      };
    }
    return {
      log: tracked.execution?.log() ?? tracked.log,
      running: tracked.state === 'running',
    };
  }

  /** Kills every container at once and waits for them (server shutdown). */
  async stop() {
    this.#stopped = true;
    this.#unsubscribe();
    this.#loop.stop();
    const exits: Promise<unknown>[] = [];
    for (const t of this.#pods.values()) {
      clearTimeout(t.retryTimer);
      if (t.state === 'running' && t.execution) {
        t.execution.stop(0);
        exits.push(t.execution.exited);
      }
    }
    await Promise.all(exits);
  }

  #now() {
    return timestamp(this.#o.store.now());
  }

  #pods_() {
    return this.#o.store.type('pods');
  }

  #setStatus(pod: KubeObject, status: object) {
    return this.#o.store.mutate(
      this.#pods_(),
      pod.metadata.namespace,
      pod.metadata.name!,
      o => (o.metadata.uid === pod.metadata.uid ? { ...o, status } : undefined),
    );
  }

  /** Ends a graceful deletion: the kubelet's final delete with grace 0. */
  #finalize(pod: KubeObject) {
    this.#o.store.mutate(
      this.#pods_(),
      pod.metadata.namespace,
      pod.metadata.name!,
      o =>
        o.metadata.uid === pod.metadata.uid
          ? { ...o, metadata: { ...o.metadata, deletionGracePeriodSeconds: 0 } }
          : undefined,
    );
  }

  #sweep() {
    if (this.#stopped) return;
    const store = this.#o.store;
    const live = new Set<string>();
    for (const pod of store.list(this.#pods_())) {
      const uid = pod.metadata.uid!;
      live.add(uid);
      if (!pod.spec.nodeName && !pod.metadata.deletionTimestamp) {
        store.mutate(
          this.#pods_(),
          pod.metadata.namespace,
          pod.metadata.name!,
          o => ({
            ...o,
            spec: { ...o.spec, nodeName: this.#o.nodeName },
          }),
        );
        continue;
      }
      const tracked = this.#pods.get(uid);
      if (pod.metadata.deletionTimestamp) {
        this.#terminate(pod, tracked);
        continue;
      }
      if (!tracked && !isTerminalPod(pod)) {
        this.#start(pod);
      }
    }
    for (const uid of [...this.#pods.keys()]) {
      const t = this.#pods.get(uid)!;
      if (!live.has(uid)) {
        clearTimeout(t.retryTimer);
        // Removed without a graceful period (grace 0 or force): kill outright.
        if (t.state === 'running' && t.execution && !t.stopping) {
          t.stopping = true;
          t.execution.stop(0);
        }
        if (t.state !== 'running') this.#pods.delete(uid);
      }
    }
  }

  #terminate(pod: KubeObject, tracked: Tracked | undefined) {
    if (tracked?.state === 'running' && tracked.execution) {
      if (!tracked.stopping) {
        tracked.stopping = true;
        const grace = (pod.metadata.deletionGracePeriodSeconds ?? 30) * 1000;
        tracked.execution.stop(
          Math.min(grace, this.#o.maxGracePeriodMs ?? grace),
        );
      }
      return; // #onExit writes the final status and finalizes.
    }
    if (tracked?.state === 'starting') return; // decided once start() settles
    if (tracked) {
      clearTimeout(tracked.retryTimer);
      tracked.state = 'done';
    }
    this.#finalize(pod);
  }

  #start(pod: KubeObject) {
    const uid = pod.metadata.uid!;
    const tracked: Tracked = this.#pods.get(uid) ?? {
      state: 'starting',
      log: '',
    };
    tracked.state = 'starting';
    this.#pods.set(uid, tracked);
    const store = this.#o.store;
    const context = {
      readSecret: (namespace: string, name: string) =>
        store.get(store.type('secrets'), namespace, name),
    };
    // Through a promise, so an executor that throws synchronously cannot wedge the Pod in 'starting'.
    Promise.resolve()
      .then(() => this.#o.executor.start(structuredClone(pod), context))
      .catch(e => ({
        state: 'waiting' as const,
        reason: 'RunContainerError',
        message: String((e as Error)?.message ?? e),
      }))
      .then(result => {
        const current = store.get(
          this.#pods_(),
          pod.metadata.namespace,
          pod.metadata.name!,
        );
        const gone = !current || current.metadata.uid !== uid || this.#stopped;
        if (result.state === 'running') {
          tracked.state = 'running';
          tracked.execution = result.execution;
          const startedAt = this.#now();
          const containerId = `sandbox://${uid}`;
          result.execution.exited.then(exit =>
            this.#onExit(pod, tracked, exit, { containerId, startedAt }),
          );
          if (gone) {
            tracked.stopping = true;
            result.execution.stop(0);
            return;
          }
          this.#setStatus(
            current,
            runningPodStatus(current, containerId, startedAt),
          );
          if (current.metadata.deletionTimestamp)
            this.#terminate(current, tracked);
          return;
        }
        tracked.state = 'waiting';
        if (gone) return;
        if (current.metadata.deletionTimestamp) {
          this.#terminate(current, tracked);
          return;
        }
        tracked.firstWaitAt ??= Date.now();
        const failAfter =
          this.#o.imagePullFailAfterMs === undefined
            ? 2000
            : this.#o.imagePullFailAfterMs;
        const pulling = IMAGE_PULL_REASONS.includes(result.reason);
        if (
          pulling &&
          failAfter !== null &&
          Date.now() - tracked.firstWaitAt >= failAfter
        ) {
          tracked.state = 'done';
          this.#setStatus(
            current,
            failedToStartPodStatus(
              current,
              'ImagePullBackOff',
              `Back-off pulling image: ${result.message}`,
              this.#now(),
            ),
          );
          return;
        }
        // Like the kubelet: the first failure is ErrImagePull, later ones ImagePullBackOff.
        const reason =
          pulling && tracked.retryTimer ? 'ImagePullBackOff' : result.reason;
        this.#setStatus(
          current,
          waitingPodStatus(current, reason, result.message, this.#now()),
        );
        tracked.retryTimer = setTimeout(() => {
          const again = store.get(
            this.#pods_(),
            pod.metadata.namespace,
            pod.metadata.name!,
          );
          if (
            again &&
            again.metadata.uid === uid &&
            !again.metadata.deletionTimestamp &&
            !this.#stopped
          )
            this.#start(again);
        }, this.#o.retryMs);
      });
  }

  #onExit(
    pod: KubeObject,
    tracked: Tracked,
    exit: ContainerExit,
    times: { containerId: string; startedAt: string },
  ) {
    tracked.state = 'done';
    tracked.log = tracked.execution?.log() ?? '';
    tracked.execution = undefined;
    const current = this.#o.store.get(
      this.#pods_(),
      pod.metadata.namespace,
      pod.metadata.name!,
    );
    if (!current || current.metadata.uid !== pod.metadata.uid) {
      this.#pods.delete(pod.metadata.uid!);
      return;
    }
    this.#setStatus(
      current,
      terminatedPodStatus(current, exit, tracked.log, {
        ...times,
        finishedAt: this.#now(),
      }),
    );
    if (current.metadata.deletionTimestamp) this.#finalize(current);
  }
}
