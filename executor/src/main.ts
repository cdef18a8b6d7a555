import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { DEFAULT_PATHS, Env } from './config/parseConfig';
import { createLogger, Logger } from './log';
import { runPipeline } from './runPipeline';
import { authenticate } from './stages/auth';
import { loadConfig } from './stages/config';
import { findLeader } from './stages/leader';
import {
  stdoutSink,
  terminationLogSink,
  writeReport,
  ReportSink,
} from './stages/report';
import { streamSnapshot } from './stages/stream';
import { verifyUpload } from './stages/verify';
import type { Context, PipelineResult } from './types';

export const defaultStages = [
  loadConfig,
  authenticate,
  findLeader,
  streamSnapshot,
  verifyUpload,
];

export interface RunOptions {
  env?: Env;
  log?: Logger;
  signal?: AbortSignal;
  /** Replaces stdout as the first report sink (the termination log is always written). */
  stdout?: ReportSink;
}

/** One backup run: the pipeline, then the report. Never throws; returns the exit code. */
export async function runExecutor(
  options: RunOptions = {},
): Promise<{ exitCode: number; report: string; result: PipelineResult }> {
  const env = options.env ?? process.env;
  const log = options.log ?? createLogger();
  const controller = new AbortController();
  options.signal?.addEventListener(
    'abort',
    () => controller.abort(options.signal!.reason),
    { once: true },
  );
  const ctx: Context = {
    deps: {
      env,
      log,
      exists: existsSync,
      readFile: p => readFile(p, 'utf8'),
      now: () => Date.now(),
    },
    signal: controller.signal,
    startedAt: Date.now(),
    currentStage: 'config',
    timings: {},
  };
  const deadline = Number(env.BACKUP_DEADLINE_SECONDS);
  const timer =
    deadline > 0
      ? setTimeout(
          () =>
            controller.abort(new Error(`deadline of ${deadline}s exceeded`)),
          deadline * 1000,
        )
      : undefined;
  const result = await runPipeline(defaultStages, ctx);
  clearTimeout(timer);
  result.ctx.openbao?.close();
  result.ctx.s3?.destroy();
  const sinks = [
    options.stdout ?? stdoutSink,
    terminationLogSink(
      env.TERMINATION_LOG_PATH?.trim() || DEFAULT_PATHS.terminationLog,
    ),
  ];
  const report = await writeReport(result, sinks);
  return { exitCode: result.exitCode, report, result };
}

/** CLI entry: SIGTERM/SIGINT abort the run; the running stage reports exit 7. */
export async function main(): Promise<void> {
  const controller = new AbortController();
  for (const sig of ['SIGTERM', 'SIGINT'] as const) {
    process.once(sig, () =>
      controller.abort(new Error(`terminated by ${sig}`)),
    );
  }
  const { exitCode } = await runExecutor({ signal: controller.signal });
  process.exit(exitCode);
}
