#!/usr/bin/env node
// Prints the fault suite's table from the rows the fault tests recorded (packages/sandbox/src/faults).
//   node scripts/fault-table.mjs [DIR]   (default: $FAULT_REPORT_DIR, else $TMPDIR/openbao-backup-faults)
// Exit code 1 if any row is not ok, 2 if there are no rows (each with a FAILED line on stderr).
import { readdirSync, readFileSync, existsSync } from 'node:fs';
import { join } from 'node:path';
import { tmpdir } from 'node:os';

const dir = process.argv[2] ?? process.env.FAULT_REPORT_DIR ?? join(tmpdir(), 'openbao-backup-faults');
const rows = existsSync(dir)
  ? readdirSync(dir)
      .filter(f => f.endsWith('.jsonl'))
      .flatMap(f => readFileSync(join(dir, f), 'utf8').split('\n').filter(Boolean))
      .map(l => JSON.parse(l))
  : [];
if (rows.length === 0) {
  console.error(
    `fault suite: FAILED, no cases recorded in ${dir} (did the fault tests run with FAULT_REPORT_DIR set to it?)`,
  );
  process.exit(2);
}
rows.sort((a, b) => a.area.localeCompare(b.area) || a.name.localeCompare(b.name));
const cols = [
  ['', r => (r.ok ? 'ok' : 'FAIL')],
  ['area', r => r.area],
  ['case', r => r.name],
  ['injected fault', r => r.fault],
  ['expected end state', r => r.expected],
  ['observed', r => r.observed],
];
const clip = s => (String(s).length > 70 ? `${String(s).slice(0, 67)}...` : String(s));
const cells = rows.map(r => cols.map(([, f]) => clip(f(r)).replace(/\s+/g, ' ')));
const widths = cols.map(([h], i) => Math.max(h.length, ...cells.map(c => c[i].length)));
const line = c => `| ${c.map((v, i) => v.padEnd(widths[i])).join(' | ')} |`;
console.log(line(cols.map(([h]) => h)));
console.log(`|${widths.map(w => '-'.repeat(w + 2)).join('|')}|`);
for (const c of cells) console.log(line(c));
const bad = rows.filter(r => !r.ok);
console.log(`fault suite: ${rows.length - bad.length} of ${rows.length} cases as expected`);
if (bad.length) {
  console.error(
    `fault suite: FAILED, ${bad.length} case(s) not as expected: ${bad.map(r => `${r.area}/${r.name}`).join(', ')}`,
  );
}
process.exit(bad.length ? 1 : 0);
