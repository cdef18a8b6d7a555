import { KubeObject } from './types';

/** How a container ended, as the kubelet reports it in `state.terminated`. */
export interface ContainerExit {
  exitCode: number;
  /** Content of the container's termination-message file (the kubelet cuts it to 4096 bytes). */
  message?: string;
  /** Overrides the reason (default: `Completed` for exit 0, `Error` otherwise). */
  reason?: string;
  /** The signal that ended the process, if any (SIGTERM, SIGKILL). */
  signal?: string;
}

/** A started container. */
export interface PodExecution {
  /** Settles when the container has exited; never rejects. */
  readonly exited: Promise<ContainerExit>;
  /** SIGTERM now, SIGKILL after the grace period (the kubelet's kill sequence). */
  stop(gracePeriodMs: number): void;
  /** stdout and stderr so far, interleaved as written (the pod log). */
  log(): string;
}

export type PodStartResult =
  | { state: 'running'; execution: PodExecution }
  /** The container cannot start (yet): ErrImagePull, CreateContainerConfigError, ContainerCreating… */
  | { state: 'waiting'; reason: string; message: string };

/** What an executor may read from the cluster to start a Pod. */
export interface PodStartContext {
  readSecret(namespace: string, name: string): KubeObject | undefined;
}

/**
 * What actually runs a Pod's (first) container. The kubelet double calls `start` until it
 * returns `running`; the Job runner (src/runner) runs a local process, tests can simulate.
 */
export interface PodExecutor {
  start(pod: KubeObject, context: PodStartContext): Promise<PodStartResult>;
}
