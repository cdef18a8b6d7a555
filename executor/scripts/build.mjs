// Bundles the executor into one file (dist/executor.js) so its image needs only `node`.
import { build } from 'esbuild';
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const { version } = JSON.parse(
  readFileSync(join(root, 'package.json'), 'utf8'),
);

const result = await build({
  entryPoints: [join(root, 'src/cli.ts')],
  outfile: join(root, 'dist/executor.js'),
  bundle: true,
  platform: 'node',
  target: 'node22',
  format: 'cjs',
  // ESM entry points let esbuild drop the parts of the AWS SDK we never call (smaller, less RSS)
  mainFields: ['module', 'main'],
  minify: !process.env.NO_MINIFY,
  sourcemap: false,
  legalComments: 'linked',
  metafile: true,
  define: { __EXECUTOR_VERSION__: JSON.stringify(version) },
  logLevel: 'warning',
});
const bytes = Object.values(result.metafile.outputs).reduce(
  (n, o) => n + o.bytes,
  0,
);
console.log(
  `built dist/executor.js (${(bytes / 1024).toFixed(
    0,
  )} KiB, version ${version})`,
);
