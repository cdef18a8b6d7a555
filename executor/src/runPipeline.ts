import {
  abortedError,
  errorMessage,
  ExitCode,
  isStageError,
  StageError,
  type StageName,
} from './StageError';
import type { Context, PipelineResult, Stage } from './types';

/** Settles with the stage, or rejects with exit 7 as soon as the run is aborted. */
async function raceAbort<T>(
  work: Promise<T>,
  stage: StageName,
  signal: AbortSignal,
): Promise<T> {
  let onAbort = () => {};
  const aborted = new Promise<never>((_, reject) => {
    onAbort = () => reject(abortedError(stage, signal));
    signal.addEventListener('abort', onAbort, { once: true });
  });
  try {
    return await Promise.race([work, aborted]);
  } finally {
    signal.removeEventListener('abort', onAbort);
  }
}

/**
 * Runs the stages in order. The one place that turns failures into exit codes: a
 * StageError keeps its own, anything else gets the failing stage's code.
 */
export async function runPipeline(
  stages: Stage[],
  initial: Context,
): Promise<PipelineResult> {
  let ctx = initial;
  const { signal } = ctx;
  const finish = (
    r: Omit<PipelineResult, 'ctx' | 'durationSeconds'>,
  ): PipelineResult => ({
    ...r,
    ctx,
    durationSeconds: (ctx.deps.now() - ctx.startedAt) / 1000,
  });
  for (const stage of stages) {
    ctx.currentStage = stage.name;
    const t0 = ctx.deps.now();
    try {
      if (signal.aborted) throw abortedError(ctx.currentStage, signal);
      const next = stage.run(ctx);
      ctx = stage.ownsAbort
        ? await next
        : await raceAbort(next, stage.name, signal);
      ctx.timings[stage.name] = (ctx.deps.now() - t0) / 1000;
      ctx.deps.log.info(`stage ${stage.name} done`, {
        stage: stage.name,
        seconds: ctx.timings[stage.name],
      });
    } catch (e) {
      ctx.timings[stage.name] = (ctx.deps.now() - t0) / 1000;
      let err: StageError;
      if (isStageError(e)) err = e;
      else if (signal.aborted) err = abortedError(stage.name, signal);
      else err = new StageError(stage.name, stage.exitCode, errorMessage(e));
      const message = ctx.deps.log.redact(err.message);
      ctx.deps.log.error(`stage ${err.stage} failed`, {
        stage: err.stage,
        exitCode: err.exitCode,
        error: message,
      });
      return finish({
        ok: false,
        exitCode: err.exitCode,
        stage: err.stage,
        error: message,
      });
    }
  }
  return finish({ ok: true, exitCode: ExitCode.ok, stage: 'done' });
}
