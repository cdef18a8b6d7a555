import type { PipelineResult, UploadOutcome } from '../types';

/** The result line of docs/contract.md §4. */
export interface ExecutorReport {
  ok: boolean;
  stage: string;
  key: string | null;
  size: number | null;
  durationSeconds: number;
  sha256: string | null;
  stateSha256: string | null;
  raftIndex: number | null;
  raftTerm: number | null;
  sealedChecksums: boolean | null;
  error: string | null;
}

export const MAX_REPORT_BYTES = 4096;

/**
 * Shapes the result JSON: every field present (null when unknown), upload facts only on
 * success (a failed run uploaded nothing), secrets masked, and the whole line kept within
 * 4 KiB by shortening the error (the Kubernetes termination message limit).
 */
export function shapeReport(
  result: Pick<PipelineResult, 'ok' | 'stage' | 'error' | 'durationSeconds'> & {
    key?: string;
    upload?: Omit<UploadOutcome, 'sourceUrl'>;
  },
  redact: (text: string) => string = t => t,
): string {
  const u = result.ok ? result.upload : undefined;
  const report: ExecutorReport = {
    ok: result.ok,
    stage: result.stage,
    key: result.key ?? null,
    size: u?.size ?? null,
    durationSeconds: Math.round(result.durationSeconds * 1000) / 1000,
    sha256: u?.sha256 ?? null,
    stateSha256: u?.stateSha256 ?? null,
    raftIndex: u?.raftIndex ?? null,
    raftTerm: u?.raftTerm ?? null,
    sealedChecksums: u?.sealedChecksums ?? null,
    error: result.error === undefined ? null : redact(result.error),
  };
  let line = JSON.stringify(report);
  if (Buffer.byteLength(line) > MAX_REPORT_BYTES && report.error) {
    const overflow = Buffer.byteLength(line) - MAX_REPORT_BYTES;
    // cut on characters, then re-check bytes (multi-byte characters)
    let cut = Math.max(0, report.error.length - overflow - 16);
    do {
      report.error = `${report.error.slice(0, cut)}…`;
      line = JSON.stringify(report);
      cut -= 64;
    } while (Buffer.byteLength(line) > MAX_REPORT_BYTES && cut > 0);
  }
  return line;
}
