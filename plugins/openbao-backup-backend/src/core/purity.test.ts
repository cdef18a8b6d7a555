import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

/*
 * STYLE.md §5: the core decides and imports nothing that does I/O — no client, no clock, no
 * environment. This guards the rule for every non-test file of this folder.
 */
const FORBIDDEN = [
  /from '(node:)?(fs|fs\/promises|http|https|net|child_process|os)'/,
  /from '@kubernetes\/client-node'/,
  /from '@aws-sdk\//,
  /from '@backstage\/backend-plugin-api'/,
  /from '\.\.\/(adapters|reconcile|service)/,
  /\bDate\.now\(/,
  /new Date\(\)/,
  /\bprocess\.env\b/,
  /\bMath\.random\(/,
  /\brandomBytes\(/,
];

const files = readdirSync(__dirname).filter(
  f => f.endsWith('.ts') && !f.endsWith('.test.ts'),
);

describe('the core is pure', () => {
  it.each(files)('%s', file => {
    const text = readFileSync(join(__dirname, file), 'utf8');
    expect(FORBIDDEN.filter(pattern => pattern.test(text))).toEqual([]);
  });
});
