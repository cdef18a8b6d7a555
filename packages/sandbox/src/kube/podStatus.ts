import { ContainerExit } from './PodExecutor';
import { KubeObject } from './types';

export const NODE_IP = '127.0.0.1';

const condition = (
  type: string,
  status: 'True' | 'False',
  time: string,
  reason?: string,
) => ({
  type,
  status,
  lastProbeTime: null,
  lastTransitionTime: time,
  ...(reason ? { reason } : {}),
});

function base(pod: KubeObject) {
  const c = pod.spec.containers[0];
  return { name: c.name, image: c.image, imageID: '', restartCount: 0 };
}

/** Pod status while its container cannot start (image pull, missing Secret…). */
export function waitingPodStatus(
  pod: KubeObject,
  reason: string,
  message: string,
  now: string,
) {
  return {
    ...pod.status,
    phase: 'Pending',
    hostIP: NODE_IP,
    startTime: pod.status?.startTime ?? now,
    conditions: [
      condition('PodReadyToStartContainers', 'True', now),
      condition('Initialized', 'True', now),
      condition('Ready', 'False', now, 'ContainersNotReady'),
      condition('ContainersReady', 'False', now, 'ContainersNotReady'),
      condition('PodScheduled', 'True', now),
    ],
    containerStatuses: [
      {
        ...base(pod),
        ready: false,
        started: false,
        state: { waiting: { reason, message } },
        lastState: {},
      },
    ],
  };
}

export function runningPodStatus(
  pod: KubeObject,
  containerId: string,
  startedAt: string,
) {
  return {
    ...pod.status,
    phase: 'Running',
    hostIP: NODE_IP,
    hostIPs: [{ ip: NODE_IP }],
    podIP: NODE_IP,
    podIPs: [{ ip: NODE_IP }],
    startTime: pod.status?.startTime ?? startedAt,
    conditions: [
      condition('PodReadyToStartContainers', 'True', startedAt),
      condition('Initialized', 'True', startedAt),
      condition('Ready', 'True', startedAt),
      condition('ContainersReady', 'True', startedAt),
      condition('PodScheduled', 'True', startedAt),
    ],
    containerStatuses: [
      {
        ...base(pod),
        containerID: containerId,
        ready: true,
        started: true,
        state: { running: { startedAt } },
        lastState: {},
      },
    ],
  };
}

/**
 * The termination message the kubelet reports: the file's content cut to 4096 bytes, or with
 * `FallbackToLogsOnError` and an empty file after a failure, the log's last 80 lines (≤ 2048 bytes).
 */
export function terminationMessage(
  policy: string | undefined,
  exit: ContainerExit,
  log: string,
) {
  const file = exit.message ?? '';
  if (
    file.trim() === '' &&
    exit.exitCode !== 0 &&
    policy === 'FallbackToLogsOnError'
  ) {
    const tail = log.split('\n').slice(-80).join('\n');
    const bytes = Buffer.from(tail);
    return bytes.subarray(Math.max(0, bytes.length - 2048)).toString('utf8');
  }
  return Buffer.from(file).subarray(0, 4096).toString('utf8');
}

export function terminatedPodStatus(
  pod: KubeObject,
  exit: ContainerExit,
  log: string,
  times: { containerId?: string; startedAt?: string; finishedAt: string },
) {
  const message = terminationMessage(
    pod.spec.containers[0].terminationMessagePolicy,
    exit,
    log,
  );
  const finishedAt = times.finishedAt;
  const succeeded = exit.exitCode === 0;
  return {
    ...pod.status,
    phase: succeeded ? 'Succeeded' : 'Failed',
    hostIP: NODE_IP,
    startTime: pod.status?.startTime ?? times.startedAt ?? finishedAt,
    conditions: [
      condition('PodReadyToStartContainers', 'False', finishedAt),
      condition('Initialized', 'True', times.startedAt ?? finishedAt),
      condition('Ready', 'False', finishedAt, 'PodCompleted'),
      condition('ContainersReady', 'False', finishedAt, 'PodCompleted'),
      condition('PodScheduled', 'True', times.startedAt ?? finishedAt),
    ],
    containerStatuses: [
      {
        ...base(pod),
        ...(times.containerId ? { containerID: times.containerId } : {}),
        ready: false,
        started: false,
        state: {
          terminated: {
            exitCode: exit.exitCode,
            reason: exit.reason ?? (succeeded ? 'Completed' : 'Error'),
            ...(message ? { message } : {}),
            startedAt: times.startedAt ?? finishedAt,
            finishedAt,
            ...(times.containerId ? { containerID: times.containerId } : {}),
          },
        },
        lastState: {},
      },
    ],
  };
}

/** A Pod that never started and was given up on (the sandbox's image-pull shortcut). */
export function failedToStartPodStatus(
  pod: KubeObject,
  reason: string,
  message: string,
  now: string,
) {
  return {
    ...waitingPodStatus(pod, reason, message, now),
    phase: 'Failed',
    reason,
    message: `sandbox: container could not start (${reason}); pod failed`,
  };
}

export const isTerminalPod = (pod: KubeObject) =>
  ['Succeeded', 'Failed'].includes(pod.status?.phase);
