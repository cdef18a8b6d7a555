declare const __EXECUTOR_VERSION__: string | undefined;

/** Set by the esbuild bundle (scripts/build.mjs); from package.json when run from source. */
export const EXECUTOR_VERSION: string =
  typeof __EXECUTOR_VERSION__ === 'string'
    ? __EXECUTOR_VERSION__
    : // eslint-disable-next-line @typescript-eslint/no-require-imports
      require('../package.json').version;
