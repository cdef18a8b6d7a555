import { createHash } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import { PodExecution } from '@internal/openbao-backup-sandbox';
import {
  FaultHarness,
  failedRunChecks,
  judge,
  keyOfJob,
  startFaultHarness,
  succeededRunChecks,
} from '../__testUtils__/faultHarness';

const MiB = 1024 * 1024;
const KILLS = 20;
jest.setTimeout(180_000);

// Seeded kill points: FAULT_SEED=<n> repeats a run.
const seed = Number(process.env.FAULT_SEED ?? Date.now() % 1_000_000);
const random = (i: number) =>
  createHash('sha256').update(`${seed}/${i}`).digest().readUInt32BE(0) /
  2 ** 32;

/**
 * Waits until the container runs and the stream has sent `threshold` bytes (or ended, then waits
 * `afterStreamMs` more), then SIGKILLs the container's process group and lists the open uploads.
 */
async function killWhen(
  container: () => PodExecution | undefined,
  stream: () => { bytesSent: number; completed: boolean } | undefined,
  threshold: number,
  afterStreamMs: number,
  listUploads: () => Promise<string[]>,
) {
  for (;;) {
    const running = container();
    const sent = stream();
    if (running && sent && (sent.bytesSent >= threshold || sent.completed)) {
      if (sent.completed) await sleep(afterStreamMs);
      const bytes = sent.bytesSent;
      running.stop(0);
      const exit = await running.exited;
      // Read at once: the reconciler's janitor aborts the upload as soon as it sees the failure.
      return {
        bytes,
        killed: exit.signal === 'SIGKILL',
        uploads: await listUploads(),
      };
    }
    await sleep(5);
  }
}

/*
 * SIGKILL (kill -9, the OOM killer, a lost node) gives the executor no chance to abort its
 * multipart upload or report. Each kill lands at a random byte of the snapshot stream (or, for
 * one point in six, up to 200 ms after the stream ended: last part, completion, verification).
 */
describe('executor killed with SIGKILL at random points of an upload', () => {
  let h: FaultHarness;
  // The executor container of the current run (a holder, so loop closures see the latest one).
  const live: { container?: PodExecution } = {};

  beforeAll(async () => {
    h = await startFaultHarness({
      namespace: 'fault-kill',
      sandbox: {
        // ≈ 10 MiB object, parts of 5 MiB: the multipart upload opens at about half the stream.
        bao: { snapshot: { stateSize: 20 * MiB, compressionLevel: 1 } },
        onContainerStarted: (_pod, execution) => {
          live.container = execution;
        },
      },
    });
  }, 60_000);
  afterAll(() => h?.stop());

  it(`${KILLS} kills: never an object at the key, the upload aborted by the janitor, the next run succeeds`, async () => {
    // eslint-disable-next-line no-console
    console.log(`executor SIGKILL suite: seed ${seed} (FAULT_SEED=${seed})`);
    await h.runToEnd('baseline');
    const total = h.bao.snapshots.find(s => s.completed)!.bytesSent;

    const { snapshots } = h.bao;
    const uploads = h.uploads;
    const checks: Record<string, boolean> = {};
    const points: string[] = [];
    let openUploadsAtKill = 0;
    let kills = 0;
    for (let attempt = 0; kills < KILLS && attempt < KILLS + 10; attempt++) {
      const p = random(attempt) * 1.2;
      const threshold = Math.min(p, 1) * total;
      const afterStreamMs = Math.max(0, p - 1) * 1000;
      h.bao.setFaults({ rateLimitBytesPerSecond: 16 * MiB });
      const before = await h.endState();
      const record = h.bao.snapshots.length;
      live.container = undefined;
      const killer = killWhen(
        () => live.container,
        () => snapshots[record],
        threshold,
        afterStreamMs,
        uploads,
      );
      await h.runToEnd(`kill-${attempt}`);
      const kill = await killer;
      const uploadsAtKill = kill.uploads;
      h.bao.setFaults({});
      // Swift lists a just-created upload a little late: give the janitor's re-checks a few passes.
      for (let i = 0; i < 20 && (await uploads()).length; i++) {
        await h.tick();
        await sleep(100);
      }
      const after = await h.endState();
      if (!kill.killed) {
        // The executor finished first: not a kill, try another point.
        continue;
      }
      kills++;
      openUploadsAtKill += uploadsAtKill.length ? 1 : 0;
      points.push(
        `${((kill.bytes / total) * 100).toFixed(0)}%${
          uploadsAtKill.length ? '*' : ''
        }`,
      );
      const failed = failedRunChecks(
        before,
        after,
        /^ExecutorFailed: executor exited with code 137 \(killed by signal 9\)/,
      );
      const key = keyOfJob(after.jobs[after.jobs.length - 1]);
      const next = await h.runToEnd(`after-kill-${attempt}`);
      const recovered = succeededRunChecks(after, await h.endState());
      for (const [name, ok] of Object.entries({ ...failed, ...recovered })) {
        checks[`kill ${kills} (${key}): ${name}`] = ok;
      }
      expect(next.errors).toEqual([]);
    }
    checks[`${KILLS} kills landed`] = kills === KILLS;
    // Otherwise the janitor was never put to work and the case proves little.
    checks['some kills left an open multipart upload'] = openUploadsAtKill > 0;
    const end = await h.endState();
    judge(
      {
        area: 'executor',
        name: `SIGKILL ×${KILLS} (seed ${seed})`,
        fault: 'kill -9 of the executor at a random byte of the stream',
        expected:
          'each run failed (code 137, failures+1), no object at its key, upload aborted by the janitor, next run ok',
      },
      checks,
      `${kills} kills at ${points.join(
        ' ',
      )} (* = upload open at the kill: ${openUploadsAtKill}); ${
        end.events.filter(e => e === 'FailedRunCleanedUp').length
      } clean-up Events; uploads left ${end.uploads.length}; next runs ok`,
    );
  });
});
