/** Stage names, in pipeline order (docs/contract.md §4). */
export type StageName =
  | 'config'
  | 'auth'
  | 'leader'
  | 'stream'
  | 'verify'
  | 'report';

/** Exit codes of docs/contract.md §4. */
export const ExitCode = {
  ok: 0,
  config: 1,
  auth: 2,
  leader: 3,
  source: 4,
  storage: 5,
  verification: 6,
  signal: 7,
} as const;

/** A failure with the stage it belongs to and the process exit code it maps to. */
export class StageError extends Error {
  constructor(
    readonly stage: StageName,
    readonly exitCode: number,
    message: string,
  ) {
    super(message);
    this.name = 'StageError';
  }
}

export function isStageError(e: unknown): e is StageError {
  return e instanceof StageError;
}

/** Message of any thrown value, without a stack. */
export function errorMessage(e: unknown): string {
  if (e instanceof Error) {
    const code = (e as { code?: unknown }).code;
    // AWS SDK errors carry the S3 error code in `name` (NoSuchBucket, InvalidAccessKeyId…)
    const name =
      e.name &&
      !['Error', 'TypeError', 'StageError'].includes(e.name) &&
      !e.message.includes(e.name)
        ? `${e.name}: `
        : '';
    return `${name}${
      code && !e.message.includes(String(code))
        ? `${e.message} (${code})`
        : e.message
    }`;
  }
  return String(e);
}

/** The StageError for a run aborted by a signal or deadline while `stage` was running. */
export function abortedError(
  stage: StageName,
  signal: AbortSignal,
): StageError {
  return isStageError(signal.reason)
    ? signal.reason
    : new StageError(
        stage,
        ExitCode.signal,
        errorMessage(signal.reason ?? 'aborted'),
      );
}
