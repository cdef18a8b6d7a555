import { writeFile } from 'node:fs/promises';
import { shapeReport } from '../report/shapeReport';
import { errorMessage } from '../StageError';
import type { PipelineResult } from '../types';

/** Where the result line goes. */
export type ReportSink = (line: string) => Promise<void>;

export const stdoutSink: ReportSink = line =>
  new Promise(resolve => process.stdout.write(`${line}\n`, () => resolve()));

/** Kubernetes copies this file into the Pod's `terminated.message`. */
export const terminationLogSink =
  (path: string): ReportSink =>
  line =>
    writeFile(path, line);

/**
 * Stage 6, runs on success and on failure: one JSON line to every sink. A sink that fails
 * (no /dev/termination-log outside Kubernetes) is logged, never fatal.
 */
export async function writeReport(
  result: PipelineResult,
  sinks: ReportSink[],
): Promise<string> {
  const { ctx } = result;
  const line = shapeReport(
    {
      ok: result.ok,
      stage: result.stage,
      error: result.error,
      durationSeconds: result.durationSeconds,
      key: ctx.config?.storage.key ?? ctx.deps.env.BACKUP_KEY,
      upload: ctx.upload,
    },
    ctx.deps.log.redact,
  );
  await Promise.all(
    sinks.map(async sink => {
      try {
        await sink(line);
      } catch (e) {
        ctx.deps.log.warn('could not write the report', {
          error: errorMessage(e),
        });
      }
    }),
  );
  ctx.deps.log.info(result.ok ? 'backup succeeded' : 'backup failed', {
    exitCode: result.exitCode,
    stage: result.stage,
    durationSeconds: result.durationSeconds,
    timings: ctx.timings,
    // ru_maxrss: the figure the memory budget (≈ concurrency × partSize + constant) is about
    peakRssMiB: Math.round(process.resourceUsage().maxRSS / 1024),
  });
  return line;
}
