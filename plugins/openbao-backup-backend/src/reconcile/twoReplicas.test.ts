import { recordFaultCase } from '@internal/openbao-backup-sandbox';
import { runTwoReplicas } from '../__testUtils__/twoReplicas';

const SLOTS = Number(process.env.TWO_REPLICAS_SLOTS ?? 50);
const CONTROL_SLOTS = 3;

describe('two backend replicas on one PostgreSQL', () => {
  it(`start exactly one Job per slot and never overlap a cluster's runs (${SLOTS} slots)`, async () => {
    const report = await runTwoReplicas({ slots: SLOTS, clusters: 2 });
    const jobs = Object.values(report.jobsPerSlot).flatMap(s =>
      Object.values(s),
    );
    const ok =
      report.duplicates.length === 0 &&
      report.missed.length === 0 &&
      report.overlaps.length === 0 &&
      report.failedJobs.length === 0;
    recordFaultCase({
      area: 'backend',
      name: 'two replicas on one Postgres',
      fault: `2 replicas, shared scheduler lock, ${SLOTS} slots × 2 clusters`,
      expected: 'exactly 1 Job per slot, 0 overlaps per cluster',
      observed: `${jobs.filter(n => n === 1).length}/${
        jobs.length
      } slots with 1 Job, ${report.duplicates.length} duplicated, ${
        report.missed.length
      } missed, ${
        report.overlaps.length
      } overlaps (Jobs by replica ${report.jobsByReplica.join('/')})`,
      ok,
    });
    expect(report.duplicates).toEqual([]);
    expect(report.missed).toEqual([]);
    expect(report.overlaps).toEqual([]);
    expect(report.failedJobs).toEqual([]);
    expect(report.jobsByReplica[0] + report.jobsByReplica[1]).toBe(SLOTS * 2);
    // Both replicas took part: the lock, not a dead replica, kept the runs single.
    expect(Math.min(...report.jobsByReplica)).toBeGreaterThan(0);
  }, 180_000);

  // Negative control: with one database per replica each has its own task lock, so both
  // reconcile at once. The harness must see the duplicates this causes, or its 0 above proves
  // nothing.
  it(`negative control: one database per replica gives duplicate Jobs (${CONTROL_SLOTS} slots)`, async () => {
    const report = await runTwoReplicas({
      slots: CONTROL_SLOTS,
      clusters: 2,
      sharedDatabase: false,
    });
    // eslint-disable-next-line no-console
    console.log(
      `two replicas without a shared lock: ${
        report.duplicates.length
      } duplicated slots, ${
        report.overlaps.length
      } overlaps, Jobs by replica ${report.jobsByReplica.join('/')}`,
    );
    recordFaultCase({
      area: 'backend',
      name: 'two replicas, one database each (negative control)',
      fault: `2 replicas, no shared scheduler lock, ${CONTROL_SLOTS} slots × 2 clusters`,
      expected: 'the harness reports duplicate Jobs',
      observed: `${report.duplicates.length} duplicated slots, ${report.overlaps.length} overlaps`,
      ok: report.duplicates.length > 0,
    });
    expect(report.duplicates.length).toBeGreaterThan(0);
  }, 120_000);
});
