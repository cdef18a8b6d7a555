// Bundles the executor into one file (dist/executor.js) so its image needs only `node`.
import { build } from 'esbuild';
import { existsSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const { version } = JSON.parse(
  readFileSync(join(root, 'package.json'), 'utf8'),
);

const result = await build({
  absWorkingDir: root, // metafile input paths are relative to this
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
  // Licences go to dist/THIRD_PARTY_NOTICES.txt (below): one file that always exists, whatever
  // comments the bundled packages carry.
  legalComments: 'none',
  metafile: true,
  define: { __EXECUTOR_VERSION__: JSON.stringify(version) },
  logLevel: 'warning',
});
writeFileSync(
  join(root, 'dist/THIRD_PARTY_NOTICES.txt'),
  thirdPartyNotices(Object.keys(result.metafile.inputs)),
);

const bytes = Object.values(result.metafile.outputs).reduce(
  (n, o) => n + o.bytes,
  0,
);
console.log(
  `built dist/executor.js (${(bytes / 1024).toFixed(
    0,
  )} KiB, version ${version})`,
);

/** Name, version, licence and licence text of every npm package that ended up in the bundle. */
function thirdPartyNotices(inputs) {
  const dirs = new Set();
  for (const input of inputs) {
    const m = /^(.*node_modules\/(?:@[^/]+\/)?[^/]+)\//.exec(input);
    if (m) dirs.add(m[1]);
  }
  const sections = [...dirs].sort().map(dir => {
    const pkgFile = resolve(root, dir);
    if (!existsSync(join(pkgFile, 'package.json')))
      return `${dir}: package.json not found`;
    const pkg = JSON.parse(readFileSync(join(pkgFile, 'package.json'), 'utf8'));
    const licenceFile = readdirSync(pkgFile).find(f =>
      /^(licen[cs]e|copying|notice)/i.test(f),
    );
    const text = licenceFile
      ? readFileSync(join(pkgFile, licenceFile), 'utf8').trim()
      : '';
    return `${pkg.name}@${pkg.version} (${pkg.license ?? 'see package'})${
      text ? `\n\n${text}` : ''
    }`;
  });
  return `Third-party packages bundled into executor.js\n\n${sections.join(
    `\n\n${'-'.repeat(72)}\n\n`,
  )}\n`;
}
