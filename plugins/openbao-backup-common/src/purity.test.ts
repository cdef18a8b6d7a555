import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

/*
 * Shared with the frontend: no Node or DOM APIs, no clock, no environment in the pure modules.
 */
const FORBIDDEN = [
  /from '(node:|fs|path|crypto|http|os)/,
  /\bDate\.now\(/,
  /new Date\(\)/,
  /\bprocess\.env\b/,
  /\bwindow\./,
  /\bdocument\./,
];
const PURE = [
  'duration.ts',
  'objectKeys.ts',
  'schedule.ts',
  'health.ts',
  'skipReason.ts',
  'constants.ts',
  'types.ts',
];

describe('the shared logic is pure', () => {
  it('covers files that exist', () => {
    expect(readdirSync(__dirname)).toEqual(expect.arrayContaining(PURE));
  });
  it.each(PURE)('%s', file => {
    const text = readFileSync(join(__dirname, file), 'utf8');
    expect(FORBIDDEN.filter(pattern => pattern.test(text))).toEqual([]);
  });
});
