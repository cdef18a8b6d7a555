/*
 * The fault suite's report: every fault test records one row per case (the injected fault, the end
 * state it expects and the one it observed) and asserts on its own; `scripts/fault-table.mjs`
 * prints all rows as one table after the Jest run. Rows go to JSON lines in FAULT_REPORT_DIR (set by
 * scripts/test-all.sh), one file per Jest worker so parallel workers never interleave writes.
 */
import { appendFileSync, mkdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export interface FaultCase {
  /** Area of the system: executor, source, storage, kubernetes, backend, input, security. */
  area: string;
  /** Short case name, unique within its area. */
  name: string;
  /** What was injected. */
  fault: string;
  /** The end state the case requires. */
  expected: string;
  /** The end state seen. */
  observed: string;
  /** Whether observed matches expected (the test asserts this too). */
  ok: boolean;
}

export function faultReportDir(): string {
  return process.env.FAULT_REPORT_DIR ?? join(tmpdir(), 'openbao-backup-faults');
}

/** Appends one row to this worker's report file; never throws (a report must not fail a test). */
export function recordFaultCase(row: FaultCase): void {
  try {
    const dir = faultReportDir();
    mkdirSync(dir, { recursive: true });
    appendFileSync(join(dir, `${process.pid}.jsonl`), `${JSON.stringify(row)}\n`);
  } catch {
    // The assertion in the test is what counts; the table is a convenience.
  }
}
