import { ANNOTATION_SCHEDULED_TIME } from '@internal/plugin-openbao-backup-common';
import {
  FaultHarness,
  describeEnd,
  eventCount as count,
  faultRow,
  judge,
  startFaultHarness,
  succeededRunChecks,
} from '../__testUtils__/faultHarness';

const MiB = 1024 * 1024;
const NS = 'fault-backend';
const SLOT_MS = 5 * 60_000;
const STARTING_DEADLINE_S = 120;
jest.setTimeout(60_000);

const iso = (ms: number) => new Date(ms).toISOString();
/** The first `*\/5 * * * *` slot after `ms` (UTC: every multiple of five minutes). */
const slotAfter = (ms: number) => Math.floor(ms / SLOT_MS) * SLOT_MS + SLOT_MS;
const slotOf = (job: any) =>
  job?.metadata?.annotations?.[ANNOTATION_SCHEDULED_TIME];

/*
 * Backend faults: the reconciler restarts in the middle of a run (a new instance with nothing in
 * memory), and its clock jumps forward or back. The clock cases run the real schedule on the fake
 * clock, which runs ahead of the API server's clock (pod start waits are measured on the latter).
 */
describe('backend faults end to end', () => {
  let h: FaultHarness;
  const row = faultRow('backend');

  beforeAll(async () => {
    h = await startFaultHarness({
      namespace: NS,
      sandbox: { bao: { snapshot: { stateSize: 4 * MiB } } },
      reconciler: {
        startingDeadlineSeconds: STARTING_DEADLINE_S,
      },
    });
    await h.tick(); // first sighting: the next slot is recorded
  }, 60_000);
  afterEach(() => h.clearFaults());
  afterAll(() => h?.stop());

  /** Passes until the run of the slot at `ms` has ended. */
  const untilSlotRan = (ms: number, what: string) =>
    h.tickUntil(
      c =>
        c.status?.backup?.lastAttemptScheduledTime === iso(ms) &&
        !c.status.backup.activeJob,
      what,
    );
  /** `n` passes at the current fake clock; their errors. */
  const passes = async (n: number) => {
    const errors: string[] = [];
    for (let i = 0; i < n; i++)
      errors.push(...(await h.tick()).errors.map(e => e.message));
    return errors;
  };

  it('restart while the Job runs', async () => {
    h.bao.setFaults({ rateLimitBytesPerSecond: 2 * MiB });
    const before = await h.endState();
    await h.trigger('restart-mid-run');
    const { cr } = await h.tickUntil(
      c => !!c.status?.backup?.activeJob,
      'the Job to start',
    );
    h.restart();
    await h.untilRunEnds('restart-mid-run');
    const after = await h.endState();
    judge(
      row(
        'backend restart during a run',
        'a new Reconciler (nothing in memory) takes over while the executor streams',
        'it follows the recorded activeJob to its end: run ok, one Job, one BackupStarted',
      ),
      {
        'the Job was running at the restart': !!cr.status.backup.activeJob,
        'one BackupStarted Event':
          count(after, 'BackupStarted') === count(before, 'BackupStarted') + 1,
        ...succeededRunChecks(before, after),
      },
      describeEnd(after),
    );
  });

  it('crash between creating the Job and recording it', async () => {
    const statusPath = `${h.crPath}/status`;
    h.sandbox.kube.faults.add({
      method: 'PATCH',
      pathPattern: statusPath,
      status: 503,
      times: 1,
    });
    const before = await h.endState();
    await h.trigger('crash-after-create');
    const first = await h.tick();
    const afterCrash = await h.endState();
    h.restart();
    const { cr } = await h.untilRunEnds('crash-after-create');
    const after = await h.endState();
    const job = after.jobs[after.jobs.length - 1];
    judge(
      row(
        'backend restart before the status write',
        'the status write after the Job create fails (503), then a new Reconciler starts',
        'the new instance adopts the Job (no twin), records it and its result; trigger consumed',
      ),
      {
        'the first pass failed on the status write': first.errors.some(e =>
          /patch status/.test(e.message),
        ),
        'the Job existed, unrecorded, at the restart':
          afterCrash.jobs.length === before.jobs.length + 1 &&
          !afterCrash.backup.activeJob,
        'lastAttemptTime is the Job run-at':
          cr.status.backup.lastAttemptTime ===
          job.metadata.annotations['openbao.org/run-at'],
        'trigger annotation cleared': !(await h.triggerAnnotation()),
        ...succeededRunChecks(before, after),
      },
      describeEnd(after),
    );
  });

  it('clock jumps forward within the starting deadline: one collapsed catch-up', async () => {
    await h.patchBackup({ schedule: '*/5 * * * *' });
    const first = slotAfter(h.now().getTime());
    await h.tickUntil(
      c => c.status?.backup?.nextScheduledBackup === iso(first),
      'the first slot to be recorded',
    );
    const before = await h.endState();
    // Seven slots pass at once; the latest is 20 s old.
    const latest = first + 6 * SLOT_MS;
    h.setNow(new Date(latest + 20_000));
    await untilSlotRan(latest, 'the catch-up run to end');
    const extra = await passes(5);
    const after = await h.endState();
    judge(
      row(
        'clock jumps forward (within the starting deadline)',
        'fake clock +32 min: 7 slots of */5 missed, the latest 20 s ago',
        'exactly one run, for the latest slot; next = the slot after; no storm in later passes',
      ),
      {
        'the Job is for the latest slot':
          slotOf(after.jobs[after.jobs.length - 1]) === iso(latest),
        'lastAttemptScheduledTime = latest slot':
          after.backup.lastAttemptScheduledTime === iso(latest),
        'nextScheduledBackup = the slot after':
          after.backup.nextScheduledBackup === iso(latest + SLOT_MS),
        'no slot skipped': count(after, 'BackupSlotSkipped') === 0,
        'no pass error': extra.length === 0,
        ...succeededRunChecks(before, after),
      },
      describeEnd(after),
    );
  });

  it('clock jumps forward beyond the starting deadline: skipped with a reason, next slot kept', async () => {
    const before = await h.endState();
    const next = Date.parse(before.backup.nextScheduledBackup);
    // Three hours later, the latest slot is 200 s old: beyond the 120 s starting deadline.
    const latest = next + 36 * SLOT_MS;
    h.setNow(new Date(latest + 200_000));
    await h.tickUntil(
      c => c.status?.backup?.nextScheduledBackup === iso(latest + SLOT_MS),
      'the skip to be recorded',
    );
    await passes(5);
    const skipped = await h.endState();
    const cr = await h.cluster();
    const backingUp = cr.status.conditions.find(
      (c: any) => c.type === 'BackingUp',
    );
    // The slot after runs as usual.
    h.setNow(new Date(latest + SLOT_MS + 5_000));
    await untilSlotRan(latest + SLOT_MS, 'the next slot to run');
    const after = await h.endState();
    judge(
      row(
        'clock jumps forward (beyond the starting deadline)',
        'fake clock +3 h: the latest */5 slot is 200 s old, starting deadline 120 s',
        'no Job, one BackupSlotSkipped naming the deadline, failures unchanged; the next slot runs',
      ),
      {
        'no Job for the missed slots':
          skipped.jobs.length === before.jobs.length,
        'one BackupSlotSkipped Event (no storm)':
          count(skipped, 'BackupSlotSkipped') ===
          count(before, 'BackupSlotSkipped') + 1,
        'BackingUp reason MissedStartingDeadline naming the deadline':
          backingUp?.reason === 'MissedStartingDeadline' &&
          /missed by 200 s, more than the starting deadline of 120 s \(missed slots since .* collapsed into it\)/.test(
            backingUp?.message,
          ),
        'consecutiveFailures unchanged':
          skipped.backup.consecutiveFailures ===
          before.backup.consecutiveFailures,
        'the next slot ran':
          slotOf(after.jobs[after.jobs.length - 1]) === iso(latest + SLOT_MS),
        ...succeededRunChecks(skipped, after),
      },
      `skipped: ${backingUp?.message?.slice(0, 60)}…; then ${describeEnd(
        after,
      )}`,
    );
  });

  it('clock jumps back: no slot repeated, the next one kept', async () => {
    const before = await h.endState();
    const done = Date.parse(before.backup.lastAttemptScheduledTime);
    const next = Date.parse(before.backup.nextScheduledBackup);
    // Back past earlier slots, then forward through them and the slot already run.
    const seen: string[] = [];
    for (const at of [
      done - 12 * 60_000,
      done - SLOT_MS + 10_000,
      done + 10_000,
    ]) {
      h.setNow(new Date(at));
      await passes(3);
      seen.push((await h.cluster()).status.backup.nextScheduledBackup);
    }
    const behind = await h.endState();
    h.setNow(new Date(next + 5_000));
    await untilSlotRan(next, 'the next slot to run');
    const after = await h.endState();
    judge(
      row(
        'clock jumps back',
        'fake clock −12 min after a slot ran, then forward through that slot again',
        'no Job while behind (the slot already run is not repeated); next slot unchanged and run once',
      ),
      {
        'no Job while the clock was behind':
          behind.jobs.length === before.jobs.length,
        'nextScheduledBackup unchanged while behind': seen.every(
          s => s === iso(next),
        ),
        'the next slot ran':
          slotOf(after.jobs[after.jobs.length - 1]) === iso(next),
        ...succeededRunChecks(behind, after),
      },
      describeEnd(after),
    );
  });
});
