import { batchDeletes } from './batchDeletes';

const keys = (n: number) => Array.from({ length: n }, (_, i) => `k${i}`);

describe('batchDeletes', () => {
  it.each([
    [0, []],
    [1, [1]],
    [1000, [1000]],
    [1001, [1000, 1]],
    [2500, [1000, 1000, 500]],
  ])('%d keys → batches of %j', (n, sizes) => {
    const batches = batchDeletes(keys(n));
    expect(batches.map(b => b.length)).toEqual(sizes);
    expect(batches.flat()).toEqual(keys(n));
  });

  it('drops duplicates and takes a smaller size', () => {
    expect(batchDeletes(['a', 'b', 'a', 'c'], 2)).toEqual([['a', 'b'], ['c']]);
  });

  it.each([0, 1001, 1.5])('rejects size %p', size => {
    expect(() => batchDeletes(['a'], size)).toThrow(
      /size must be an integer from 1 to 1000/,
    );
  });
});
