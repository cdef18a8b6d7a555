/*
 * Validation of Kubernetes objects against the OpenAPI schemas packaged by kubernetes-models.
 *
 * kubernetes-models (and its @kubernetes-models/* dependencies) are ESM-only with only an "import"
 * export condition, which Jest's CommonJS resolver cannot load. So the objects are validated by a
 * native ESM child process of the same Node binary: `new Model(obj).validate()` for each object.
 * kubernetes-models is a devDependency: use this from tests only.
 */

import { execFileSync } from 'node:child_process';

const VALIDATE_SCRIPT = `
const input = JSON.parse(await new Promise(r => { let s = ''; process.stdin.on('data', d => (s += d)); process.stdin.on('end', () => r(s)); }));
const results = [];
for (const obj of input) {
  const [group, version] = obj.apiVersion.includes('/') ? obj.apiVersion.split('/') : [null, obj.apiVersion];
  const spec = 'kubernetes-models/' + (group ? group + '/' : '') + version + '/' + obj.kind;
  try {
    const mod = await import(spec);
    new mod[obj.kind](obj).validate();
    results.push({ ok: true });
  } catch (e) {
    results.push({ ok: false, error: spec + ': ' + (e && e.message) });
  }
}
process.stdout.write(JSON.stringify(results));
`;

/**
 * Validates Kubernetes objects against the OpenAPI schemas of kubernetes-models and returns one
 * message per invalid object (empty when all are valid). `fromDir` is a directory from which
 * `kubernetes-models` resolves (any folder of the workspace).
 */
export function validateWithKubernetesModels(
  objects: object[],
  fromDir: string,
): string[] {
  const out = execFileSync(
    process.execPath,
    ['--input-type=module', '-e', VALIDATE_SCRIPT],
    {
      cwd: fromDir,
      input: JSON.stringify(objects),
      encoding: 'utf8',
    },
  );
  const results: Array<{ ok: boolean; error?: string }> = JSON.parse(out);
  return results.flatMap((r, i) =>
    r.ok ? [] : [`${(objects[i] as any).kind}: ${r.error}`],
  );
}
