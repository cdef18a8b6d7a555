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
// Independent sandboxes killed in parallel: a kill and its recovery run mostly wait (process
// start, the rate-limited stream, passes), so lanes overlap well even on two cores.
const LANES = 4;
jest.setTimeout(120_000);

// Seeded kill points: FAULT_SEED=<n> repeats a run.
const seed = Number(process.env.FAULT_SEED ?? Date.now() % 1_000_000);
const random = (lane: number, i: number) =>
  createHash('sha256').update(`${seed}/${lane}/${i}`).digest().readUInt32BE(0) /
  2 ** 32;

/**
 * Waits until the container runs and the stream has sent `threshold` bytes (or ended, then waits
 * `afterStreamMs` more), then SIGKILLs the container's process group and lists the open uploads
 * and the objects of the bucket.
 */
async function killWhen(
  container: () => PodExecution | undefined,
  stream: () => { bytesSent: number; completed: boolean } | undefined,
  threshold: number,
  afterStreamMs: number,
  bucket: Pick<FaultHarness, 'uploads' | 'objects'>,
) {
  for (;;) {
    const running = container();
    const sent = stream();
    if (running && sent && (sent.bytesSent >= threshold || sent.completed)) {
      if (sent.completed) await sleep(afterStreamMs);
      const bytes = sent.bytesSent;
      const streamEnded = sent.completed;
      running.stop(0);
      const exit = await running.exited;
      // Read at once: the reconciler's janitor cleans up as soon as it sees the failure.
      const [uploads, objects] = await Promise.all([
        bucket.uploads(),
        bucket.objects(),
      ]);
      return {
        bytes,
        streamEnded,
        killed: exit.signal === 'SIGKILL',
        uploads,
        objects,
      };
    }
    await sleep(5);
  }
}

/** One sandbox whose executor containers are killed; `live` holds the current run's container. */
interface Lane {
  h: FaultHarness;
  live: { container?: PodExecution };
}

/**
 * Kills `kills` runs of one lane back to back, each followed by a run that must succeed. Returns
 * the checks of every kill and where the kills landed.
 */
async function killRuns(lane: number, { h, live }: Lane, kills: number) {
  const baseline = await h.runToEnd('baseline');
  expect(baseline.errors).toEqual([]);
  const total = h.bao.snapshots.find(s => s.completed)!.bytesSent;
  const { snapshots } = h.bao;
  const checks: Record<string, boolean> = {};
  const points: string[] = [];
  let openUploadsAtKill = 0;
  let objectsAtKill = 0;
  let landed = 0;
  for (let attempt = 0; landed < kills && attempt < kills + 6; attempt++) {
    const p = random(lane, attempt) * 1.2;
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
      h,
    );
    await h.runToEnd(`kill-${attempt}`);
    const kill = await killer;
    h.bao.setFaults({});
    await h.settleUploads();
    const after = await h.endState();
    // The executor finished first: not a kill, try another point.
    if (!kill.killed) continue;
    landed++;
    const key = keyOfJob(after.jobs[after.jobs.length - 1]);
    const visibleAtKill = !!key && kill.objects.includes(key);
    openUploadsAtKill += kill.uploads.length ? 1 : 0;
    objectsAtKill += visibleAtKill ? 1 : 0;
    points.push(
      `${((kill.bytes / total) * 100).toFixed(0)}%${
        kill.uploads.length ? '*' : ''
      }${visibleAtKill ? '†' : ''}`,
    );
    const failed = failedRunChecks(
      before,
      after,
      /^ExecutorFailed: executor exited with code 137 \(killed by signal 9\)/,
    );
    // The executor completes the upload only after the whole snapshot passed its gzip and
    // checksum check, so while the stream runs no object may be visible at the key. After the
    // stream, a kill can land between completion and the HeadObject check or the report: that
    // object exists at the kill and only the janitor removes it (checked by failedRunChecks).
    failed['no object at the key at the kill, unless the stream had ended'] =
      kill.streamEnded || !visibleAtKill;
    const next = await h.runToEnd(`after-kill-${attempt}`);
    const recovered = succeededRunChecks(after, await h.endState());
    for (const [name, ok] of Object.entries({ ...failed, ...recovered })) {
      checks[`lane ${lane} kill ${landed} (${key}): ${name}`] = ok;
    }
    checks[`lane ${lane} kill ${landed}: no pass error in the next run`] =
      next.errors.length === 0;
  }
  return { checks, points, openUploadsAtKill, objectsAtKill, landed };
}

/*
 * SIGKILL (kill -9, the OOM killer, a lost node) gives the executor no chance to abort its
 * multipart upload or report. Each kill lands at a random byte of the snapshot stream (or, for
 * one point in six, up to 200 ms after the stream ended: last part, completion, verification).
 */
describe('executor killed with SIGKILL at random points of an upload', () => {
  const lanes: Lane[] = [];

  beforeAll(async () => {
    const started = Array.from({ length: LANES }, async (_, i) => {
      const live: Lane['live'] = {};
      const h = await startFaultHarness({
        namespace: `fault-kill-${i}`,
        sandbox: {
          // An 8 MiB object stored uncompressed (gzip level 0: little CPU per run), parts of
          // 5 MiB: the multipart upload opens at 5/8 of the stream.
          bao: { snapshot: { stateSize: 8 * MiB, compressionLevel: 0 } },
          onContainerStarted: (_pod, execution) => {
            live.container = execution;
          },
        },
      });
      return { h, live };
    });
    lanes.push(...(await Promise.all(started)));
  }, 60_000);
  afterAll(() => Promise.all(lanes.map(l => l.h.stop())));

  it(`${KILLS} kills: no object at the key while the stream runs nor after the janitor, the upload aborted by the janitor, the next run succeeds`, async () => {
    // eslint-disable-next-line no-console
    console.log(`executor SIGKILL suite: seed ${seed} (FAULT_SEED=${seed})`);
    const results = await Promise.all(
      lanes.map((lane, i) => killRuns(i, lane, KILLS / LANES)),
    );
    const kills = results.reduce((n, r) => n + r.landed, 0);
    const openUploadsAtKill = results.reduce(
      (n, r) => n + r.openUploadsAtKill,
      0,
    );
    const objectsAtKill = results.reduce((n, r) => n + r.objectsAtKill, 0);
    const checks: Record<string, boolean> = Object.assign(
      {},
      ...results.map(r => r.checks),
    );
    checks[`${KILLS} kills landed`] = kills === KILLS;
    // Otherwise the janitor was never put to work and the case proves little.
    checks['some kills left an open multipart upload'] = openUploadsAtKill > 0;
    const ends = await Promise.all(lanes.map(l => l.h.endState()));
    const cleanUps = ends.reduce(
      (n, e) => n + e.events.filter(r => r === 'FailedRunCleanedUp').length,
      0,
    );
    const uploadsLeft = ends.reduce((n, e) => n + e.uploads.length, 0);
    judge(
      {
        area: 'executor',
        name: `SIGKILL ×${KILLS} (seed ${seed})`,
        fault: `kill -9 of the executor at a random byte of the stream (${LANES} clusters in parallel)`,
        expected:
          'each run failed (code 137, failures+1); no object at its key at the kill unless the stream had ended, none after the janitor; upload aborted; next run ok',
      },
      checks,
      `${kills} kills at ${results
        .map(r => r.points.join(' '))
        .join(
          ' | ',
        )} (* = upload open at the kill: ${openUploadsAtKill}; † = object completed after the stream, visible at the kill: ${objectsAtKill}); ${cleanUps} clean-up Events; uploads left ${uploadsLeft}; next runs ok`,
    );
  });
});
