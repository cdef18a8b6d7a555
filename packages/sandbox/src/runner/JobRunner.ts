import { ChildProcess, spawn } from 'node:child_process';
import { chmod, mkdir, mkdtemp, open, rm, writeFile } from 'node:fs/promises';
import { constants, tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import {
  ContainerExit,
  PodExecution,
  PodExecutor,
  PodStartResult,
} from '../kube/PodExecutor';
import { ServiceAccountTokenIssuer } from '../kube/ServiceAccountTokenIssuer';
import { KubeObject } from '../kube/types';
import { commandForImage, ImageCommand, imageRepository } from './imageCommand';
import { pathOverrides } from './pathOverrides';
import { ContainerConfigError, podEnvironment } from './podEnvironment';
import { MountError, planVolumes, TokenHook, VolumePlan } from './planVolumes';

export interface JobRunnerOptions {
  /**
   * Image repository → local command standing in for the entrypoint, e.g.
   * `{ 'openbao-backup-executor': ['node', '/repo/executor/dist/executor.js'] }`. Tags and digests
   * are ignored; container `args` are appended.
   */
  images: Record<string, ImageCommand>;
  /** Makes the projected service-account tokens; default: `serviceAccountIssuer.issue`. */
  issueServiceAccountToken?: TokenHook;
  /** Used when no hook is given (share it with the Kube API double and the OpenBao double). */
  serviceAccountIssuer?: ServiceAccountTokenIssuer;
  /** Parent of the per-Pod temp dirs; default the OS temp dir. */
  tmpDir?: string;
  /**
   * Host env vars passed through (a container inherits nothing else besides DEMO_RUN_MARKER);
   * default PATH, HOME, LANG, TZ.
   */
  inheritEnv?: string[];
  /** Added last, e.g. NODE_EXTRA_CA_CERTS for a sandbox CA. */
  extraEnv?: Record<string, string>;
  /** Env var → in-container path (default docs/contract.md §3's TLS_CA_PATH, BACKUP_CREDENTIALS_PATH…). */
  pathOverrides?: Record<string, string>;
  /** Pod log kept per container (the tail); default 1 MiB. */
  maxLogBytes?: number;
  /** Keep per-Pod temp dirs after exit (debugging); default false. */
  keepTempDirs?: boolean;
  /** Progress messages; never given secret values. */
  logger?: { info(message: string): void; warn(message: string): void };
}

export interface JobRunner extends PodExecutor {
  readonly serviceAccountIssuer: ServiceAccountTokenIssuer;
  /** Containers currently running. */
  readonly running: number;
  /** SIGKILLs every running container and waits for them. */
  stopAll(): Promise<void>;
}

const MESSAGE_LIMIT = 4096;
/**
 * Set by scripts/e2e.sh on the demo; passed to every Pod process (whatever `inheritEnv` says) so
 * its "no process left" check, which scans /proc environs for it, also sees the executors.
 */
export const DEMO_RUN_MARKER = 'OPENBAO_DEMO_RUN';

async function readTerminationMessage(path: string) {
  try {
    const handle = await open(path, 'r');
    try {
      const buffer = Buffer.alloc(MESSAGE_LIMIT);
      const { bytesRead } = await handle.read(buffer, 0, MESSAGE_LIMIT, 0);
      return buffer.subarray(0, bytesRead).toString('utf8');
    } finally {
      await handle.close();
    }
  } catch {
    return '';
  }
}

async function materialise(root: string, plan: VolumePlan) {
  for (const m of plan.mounts) {
    if (!plan.files.some(f => f.path === m))
      await mkdir(join(root, m), { recursive: true });
  }
  for (const f of plan.files) {
    const local = join(root, f.path);
    await mkdir(dirname(local), { recursive: true });
    await writeFile(local, f.content, { mode: f.mode });
    await chmod(local, f.mode);
  }
}

/**
 * The real PodExecutor: runs a Pod's first container as a local child process of the mapped
 * command, with the Pod's env, its Secret and projected-token volumes written under a temp dir
 * (pointed to through the path-override env vars), the termination message read from
 * TERMINATION_LOG_PATH, and the kubelet's SIGTERM → grace → SIGKILL on stop.
 */
export function createJobRunner(options: JobRunnerOptions): JobRunner {
  const issuer =
    options.serviceAccountIssuer ?? new ServiceAccountTokenIssuer();
  const issueToken: TokenHook =
    options.issueServiceAccountToken ?? (r => issuer.issue(r));
  const inherit = options.inheritEnv ?? ['PATH', 'HOME', 'LANG', 'TZ'];
  const maxLog = options.maxLogBytes ?? 1024 * 1024;
  const log = options.logger ?? { info: () => {}, warn: () => {} };
  const live = new Set<{
    child: ChildProcess;
    exited: Promise<ContainerExit>;
  }>();

  async function start(
    pod: KubeObject,
    context: {
      readSecret: (ns: string, name: string) => KubeObject | undefined;
    },
  ): Promise<PodStartResult> {
    const podName = `${pod.metadata.namespace}/${pod.metadata.name}`;
    const container = pod.spec.containers[0];
    const command = commandForImage(options.images, container);
    if (!command) {
      log.warn(`pod ${podName}: no local command for image ${container.image}`);
      return {
        state: 'waiting',
        reason: 'ErrImagePull',
        message: `Failed to pull image "${
          container.image
        }": the sandbox runner has no command for repository "${imageRepository(
          container.image ?? '',
        )}"`,
      };
    }
    let env: Record<string, string>;
    let plan: VolumePlan;
    try {
      env = podEnvironment(pod, container, context.readSecret);
      plan = planVolumes(pod, container, context.readSecret, issueToken);
    } catch (e) {
      if (e instanceof ContainerConfigError)
        return {
          state: 'waiting',
          reason: 'CreateContainerConfigError',
          message: e.message,
        };
      if (e instanceof MountError)
        return {
          state: 'waiting',
          reason: 'ContainerCreating',
          message: e.message,
        };
      throw e;
    }

    const dir = await mkdtemp(
      join(options.tmpDir ?? tmpdir(), `sandbox-pod-${pod.metadata.name}-`),
    );
    const root = join(dir, 'root');
    await mkdir(root, { recursive: true });
    await materialise(root, plan);
    const terminationLogPath = join(dir, 'termination-log');
    await writeFile(terminationLogPath, '', { mode: 0o666 });
    const childEnv: Record<string, string> = {};
    for (const name of [...inherit, DEMO_RUN_MARKER])
      if (process.env[name] !== undefined) childEnv[name] = process.env[name]!;
    Object.assign(
      childEnv,
      { HOSTNAME: pod.metadata.name! },
      env,
      pathOverrides({
        plan,
        podEnv: env,
        root,
        terminationLogPath,
        overrides: options.pathOverrides,
      }),
      options.extraEnv,
    );

    let output = Buffer.alloc(0);
    const append = (chunk: Buffer) => {
      output = Buffer.concat([output, chunk]);
      if (output.length > maxLog)
        output = output.subarray(output.length - maxLog);
    };
    log.info(
      `pod ${podName}: starting ${command[0]} (image ${container.image}, ${plan.files.length} mounted files)`,
    );
    const child = spawn(command[0], command.slice(1), {
      cwd: dir,
      env: childEnv,
      detached: true, // its own process group, so the whole tree gets the signals
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    child.stdout!.on('data', append);
    child.stderr!.on('data', append);

    let killTimer: NodeJS.Timeout | undefined;
    let spawnError: Error | undefined;
    const signalGroup = (signal: NodeJS.Signals) => {
      try {
        if (child.pid) process.kill(-child.pid, signal);
      } catch {
        // already gone
      }
    };
    const exited = new Promise<ContainerExit>(resolve => {
      child.once('error', e => {
        spawnError = e;
      });
      child.once('close', async (code, signal) => {
        clearTimeout(killTimer);
        const message = spawnError
          ? ''
          : await readTerminationMessage(terminationLogPath);
        if (!options.keepTempDirs)
          await rm(dir, { recursive: true, force: true }).catch(() => {});
        const exit: ContainerExit = spawnError
          ? {
              exitCode: 128,
              reason: 'StartError',
              message: `failed to start container process: ${spawnError.message}`,
            }
          : {
              exitCode:
                code ?? 128 + (signal ? constants.signals[signal] ?? 0 : 0),
              message,
              ...(signal ? { signal } : {}),
            };
        log.info(
          `pod ${podName}: exited with code ${exit.exitCode}${
            signal ? ` (${signal})` : ''
          }`,
        );
        resolve(exit);
      });
    });
    const entry = { child, exited };
    live.add(entry);
    exited.then(() => live.delete(entry));

    const execution: PodExecution = {
      exited,
      log: () => output.toString('utf8'),
      stop(gracePeriodMs) {
        if (child.exitCode !== null || child.signalCode !== null) return;
        if (gracePeriodMs <= 0) {
          signalGroup('SIGKILL');
          return;
        }
        signalGroup('SIGTERM');
        clearTimeout(killTimer);
        killTimer = setTimeout(() => signalGroup('SIGKILL'), gracePeriodMs);
      },
    };
    return { state: 'running', execution };
  }

  return {
    start,
    serviceAccountIssuer: issuer,
    get running() {
      return live.size;
    },
    async stopAll() {
      const all = [...live];
      for (const { child } of all) {
        try {
          if (child.pid) process.kill(-child.pid, 'SIGKILL');
        } catch {
          // already gone
        }
      }
      await Promise.all(all.map(e => e.exited));
    },
  };
}
