import type { S3Client } from '@aws-sdk/client-s3';
import type { Env, ExecutorConfig } from './config/parseConfig';
import type { Logger } from './log';
import type { OpenBaoHttp } from './openbao/OpenBaoHttp';
import type { StageName } from './StageError';

/** I/O the stages use, injectable for tests. */
export interface ExecutorDeps {
  env: Env;
  log: Logger;
  exists(path: string): boolean;
  readFile(path: string): Promise<string>;
  now(): number;
}

/** What the verified upload produced. */
export interface UploadOutcome {
  size: number;
  sha256: string;
  stateSha256: string;
  raftIndex: number;
  raftTerm: number;
  sealedChecksums: boolean;
  sourceUrl: string;
}

/** Threaded through the stages; each stage adds what it learned. */
export interface Context {
  deps: ExecutorDeps;
  signal: AbortSignal;
  startedAt: number;
  currentStage: StageName;
  config?: ExecutorConfig;
  openbao?: OpenBaoHttp;
  s3?: S3Client;
  /** The OpenBao token; only ever sent in X-Vault-Token, never logged or reported. */
  token?: string;
  leaderUrl?: string;
  upload?: UploadOutcome;
  timings: Partial<Record<StageName, number>>;
}

export interface Stage {
  name: StageName;
  /** Exit code for an unexpected error thrown by this stage. */
  exitCode: number;
  /** The stage reacts to ctx.signal itself (cleanup before failing) instead of being raced. */
  ownsAbort?: boolean;
  run(ctx: Context): Promise<Context>;
}

/** Outcome of the pipeline, input of the report. */
export interface PipelineResult {
  ctx: Context;
  ok: boolean;
  exitCode: number;
  stage: StageName | 'done';
  error?: string;
  durationSeconds: number;
}
