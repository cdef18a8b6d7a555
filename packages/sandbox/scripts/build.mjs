// Bundles the sandbox launcher into dist/sandbox.js so `node bin/sandbox.js up` needs no TS loader.
import { build } from 'esbuild';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
await build({
  entryPoints: [join(root, 'src/launcher/cli.ts')],
  outfile: join(root, 'dist/sandbox.js'),
  bundle: true,
  platform: 'node',
  target: 'node22',
  format: 'cjs',
  // ESM-only, loaded with import() at run time from node_modules.
  external: ['fauxqs'],
  logLevel: 'warning',
});
