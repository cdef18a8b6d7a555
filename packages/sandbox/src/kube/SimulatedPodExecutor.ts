import {
  ContainerExit,
  PodExecution,
  PodExecutor,
  PodStartResult,
} from './PodExecutor';
import { KubeObject } from './types';

/** What a simulated container does. */
export interface SimulatedOutcome {
  exitCode?: number;
  /** Termination message (what the container would write to /dev/termination-log). */
  message?: string;
  /** Pod log content. */
  log?: string;
  /** How long the container runs before exiting; default 10 ms. */
  durationMs?: number;
  /** The container cannot start: e.g. `{ reason: 'ErrImagePull', message }`. */
  waiting?: { reason: string; message: string };
  /** Ignore SIGTERM, so only SIGKILL (after the grace period) stops it. */
  ignoreSigterm?: boolean;
}

/**
 * A PodExecutor that runs nothing: each Pod's outcome comes from `behaviour(pod)` (default:
 * exit 0 after 10 ms). For tests of Job handling that do not need a real process.
 */
export function createSimulatedPodExecutor(
  behaviour: (pod: KubeObject) => SimulatedOutcome = () => ({}),
): PodExecutor {
  return {
    async start(pod): Promise<PodStartResult> {
      const outcome = behaviour(pod);
      if (outcome.waiting) return { state: 'waiting', ...outcome.waiting };
      let finish: (exit: ContainerExit) => void = () => {};
      const exited = new Promise<ContainerExit>(resolve => {
        finish = resolve;
      });
      let done = false;
      let timer: NodeJS.Timeout | undefined = undefined;
      const end = (exit: ContainerExit) => {
        if (done) return;
        done = true;
        clearTimeout(timer);
        finish(exit);
      };
      timer = setTimeout(
        () =>
          end({ exitCode: outcome.exitCode ?? 0, message: outcome.message }),
        outcome.durationMs ?? 10,
      );
      const execution: PodExecution = {
        exited,
        log: () => outcome.log ?? '',
        stop(gracePeriodMs) {
          if (!outcome.ignoreSigterm) {
            end({ exitCode: 143, signal: 'SIGTERM', message: outcome.message });
            return;
          }
          setTimeout(
            () => end({ exitCode: 137, signal: 'SIGKILL' }),
            gracePeriodMs,
          ).unref();
        },
      };
      return { state: 'running', execution };
    },
  };
}
