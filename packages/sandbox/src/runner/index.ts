export { createJobRunner } from './JobRunner';
export type { JobRunner, JobRunnerOptions } from './JobRunner';
export { commandForImage, imageRepository } from './imageCommand';
export type { ImageCommand } from './imageCommand';
export { DEFAULT_PATH_OVERRIDES } from './pathOverrides';
export { DEFAULT_TOKEN_AUDIENCE } from './planVolumes';
export type { TokenHook } from './planVolumes';
