import { compareChecksums, parseSha256Sums } from './parseSha256Sums';

const A = 'a'.repeat(64);
const B = 'b'.repeat(64);

describe('parseSha256Sums', () => {
  it.each([
    [
      `${A}  meta.json\n${B}  state.bin\n`,
      { 'meta.json': A, 'state.bin': B },
      [],
    ],
    [
      `${A} *meta.json\r\n${B.toUpperCase()}  ./state.bin`,
      { 'meta.json': A, 'state.bin': B },
      [],
    ],
    [
      `${A}  meta.json\nnot a line\n`,
      { 'meta.json': A },
      ['SHA256SUMS line 2 is not "<sha256>  <name>"'],
    ],
    [`${A}  x\n${B}  x\n`, { x: B }, ['SHA256SUMS lists x twice']],
    ['', {}, ['SHA256SUMS is empty']],
  ])('parses %j', (text, sums, problems) => {
    const r = parseSha256Sums(text);
    expect(Object.fromEntries(r.sums)).toEqual(sums);
    expect(r.problems).toEqual(problems);
  });
});

describe('compareChecksums', () => {
  const sums = new Map([
    ['meta.json', A],
    ['state.bin', B],
  ]);
  it.each([
    [
      'all match',
      new Map([
        ['meta.json', A],
        ['state.bin', B],
      ]),
      [],
    ],
    [
      'mismatch',
      new Map([
        ['meta.json', A],
        ['state.bin', A],
      ]),
      [`state.bin checksum mismatch: SHA256SUMS says ${B}, stream has ${A}`],
    ],
    [
      'missing file',
      new Map([['meta.json', A]]),
      ['state.bin is listed in SHA256SUMS but missing from the snapshot'],
    ],
    [
      'unlisted file',
      new Map([
        ['meta.json', A],
        ['state.bin', B],
        ['extra', A],
      ]),
      ['extra is in the snapshot but not in SHA256SUMS'],
    ],
  ])('%s', (_name, computed, problems) => {
    expect(compareChecksums(sums, computed)).toEqual(problems);
  });

  it('requires entries for meta.json and state.bin', () => {
    expect(
      compareChecksums(
        new Map([['meta.json', A]]),
        new Map([['meta.json', A]]),
      ),
    ).toEqual(['SHA256SUMS has no entry for state.bin']);
  });
});
