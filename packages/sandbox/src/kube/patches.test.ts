import {
  applyJsonPatch,
  applyMergePatch,
  applyStrategicMergePatch,
  PatchError,
  patcherFor,
} from './patches';

describe('applyMergePatch (RFC 7386 appendix A)', () => {
  it.each([
    [{ a: 'b' }, { a: 'c' }, { a: 'c' }],
    [{ a: 'b' }, { b: 'c' }, { a: 'b', b: 'c' }],
    [{ a: 'b' }, { a: null }, {}],
    [{ a: 'b', b: 'c' }, { a: null }, { b: 'c' }],
    [{ a: ['b'] }, { a: 'c' }, { a: 'c' }],
    [{ a: 'c' }, { a: ['b'] }, { a: ['b'] }],
    [{ a: { b: 'c' } }, { a: { b: 'd', c: null } }, { a: { b: 'd' } }],
    [{ a: [{ b: 'c' }] }, { a: [1] }, { a: [1] }],
    [
      ['a', 'b'],
      ['c', 'd'],
      ['c', 'd'],
    ],
    [{ a: 'b' }, ['c'], ['c']],
    [{ a: 'foo' }, null, null],
    [{ a: 'foo' }, 'bar', 'bar'],
    [{ e: null }, { a: 1 }, { e: null, a: 1 }],
    [[1, 2], { a: 'b', c: null }, { a: 'b' }],
    [{}, { a: { bb: { ccc: null } } }, { a: { bb: {} } }],
  ])('%j + %j → %j', (target, patch, expected) => {
    expect(applyMergePatch(target, patch)).toEqual(expected);
  });

  it('does not mutate its input', () => {
    const target = { a: { b: 1 } };
    applyMergePatch(target, { a: { b: 2 } });
    expect(target).toEqual({ a: { b: 1 } });
  });
});

describe('applyStrategicMergePatch', () => {
  it.each([
    [
      'merges conditions by type',
      {
        status: {
          conditions: [
            { type: 'A', status: 'True' },
            { type: 'B', status: 'False' },
          ],
        },
      },
      {
        status: {
          conditions: [
            { type: 'B', status: 'True' },
            { type: 'C', status: 'True' },
          ],
        },
      },
      {
        status: {
          conditions: [
            { type: 'A', status: 'True' },
            { type: 'B', status: 'True' },
            { type: 'C', status: 'True' },
          ],
        },
      },
    ],
    [
      'merges containers by name, deep',
      {
        spec: {
          containers: [
            { name: 'a', image: '1', env: [{ name: 'X', value: '1' }] },
          ],
        },
      },
      {
        spec: { containers: [{ name: 'a', env: [{ name: 'Y', value: '2' }] }] },
      },
      {
        spec: {
          containers: [
            {
              name: 'a',
              image: '1',
              env: [
                { name: 'X', value: '1' },
                { name: 'Y', value: '2' },
              ],
            },
          ],
        },
      },
    ],
    [
      'deletes a list item with $patch: delete',
      { conditions: [{ type: 'A' }, { type: 'B' }] },
      { conditions: [{ type: 'A', $patch: 'delete' }] },
      { conditions: [{ type: 'B' }] },
    ],
    [
      'replaces lists without a merge key',
      { args: ['a', 'b'] },
      { args: ['c'] },
      { args: ['c'] },
    ],
    [
      'replaces a map with $patch: replace',
      { m: { a: 1, b: 2 } },
      { m: { c: 3, $patch: 'replace' } },
      { m: { c: 3 } },
    ],
    ['deletes a field with null', { a: 1, b: 2 }, { a: null }, { b: 2 }],
  ])('%s', (_, target, patch, expected) => {
    expect(applyStrategicMergePatch(target, patch)).toEqual(expected);
  });
});

describe('applyJsonPatch (RFC 6902)', () => {
  it('applies add, replace, remove, move, copy and test', () => {
    const doc = { a: 1, b: { c: [1, 2] } };
    const result = applyJsonPatch(doc, [
      { op: 'test', path: '/a', value: 1 },
      { op: 'add', path: '/b/c/-', value: 3 },
      { op: 'replace', path: '/a', value: 2 },
      { op: 'copy', from: '/a', path: '/d' },
      { op: 'move', from: '/d', path: '/e' },
      { op: 'remove', path: '/b/c/0' },
    ]);
    expect(result).toEqual({ a: 2, b: { c: [2, 3] }, e: 2 });
    expect(doc).toEqual({ a: 1, b: { c: [1, 2] } });
  });

  it.each([
    [[{ op: 'test', path: '/a', value: 2 }]],
    [[{ op: 'remove', path: '/missing' }]],
    [{ op: 'add' }],
  ])('throws PatchError for %j', ops => {
    expect(() => applyJsonPatch({ a: 1 }, ops)).toThrow(PatchError);
  });
});

describe('patcherFor', () => {
  it.each([
    ['application/json-patch+json', 'application/json-patch+json'],
    [
      'application/merge-patch+json; charset=utf-8',
      'application/merge-patch+json',
    ],
    [
      'application/strategic-merge-patch+json',
      'application/strategic-merge-patch+json',
    ],
    ['application/apply-patch+yaml', undefined],
    [undefined, undefined],
  ])('%s → %s', (contentType, expected) => {
    expect(patcherFor(contentType)?.type).toBe(expected);
  });
});
