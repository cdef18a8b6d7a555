import { TtlCache } from './TtlCache';

describe('TtlCache', () => {
  let now = 0;
  const cache = () => new TtlCache<string>({ now: () => now, maxEntries: 2 });

  beforeEach(() => {
    now = 1000;
  });

  it('loads once for concurrent callers and reuses the value until it expires', async () => {
    const c = cache();
    let loads = 0;
    const load = async () => `v${++loads}`;
    const values = await Promise.all(
      Array.from({ length: 50 }, () => c.get('k', load, () => 100)),
    );
    expect(new Set(values)).toEqual(new Set(['v1']));
    now += 99;
    expect(await c.get('k', load, () => 100)).toBe('v1');
    now += 1;
    expect(await c.get('k', load, () => 100)).toBe('v2');
  });

  it('lets the value choose its lifetime (0 = not kept) and forgets a rejected load', async () => {
    const c = cache();
    expect(
      await c.get(
        'k',
        async () => 'fail',
        v => (v === 'fail' ? 0 : 100),
      ),
    ).toBe('fail');
    expect(
      await c.get(
        'k',
        async () => 'ok',
        () => 100,
      ),
    ).toBe('ok');
    await expect(
      c.get(
        'x',
        async () => {
          throw new Error('boom');
        },
        () => 100,
      ),
    ).rejects.toThrow('boom');
    expect(
      await c.get(
        'x',
        async () => 'then',
        () => 100,
      ),
    ).toBe('then');
  });

  it('evicts the oldest entry beyond maxEntries', async () => {
    const c = cache();
    await c.get(
      'a',
      async () => 'a1',
      () => 100,
    );
    await c.get(
      'b',
      async () => 'b1',
      () => 100,
    );
    await c.get(
      'c',
      async () => 'c1',
      () => 100,
    );
    expect(
      await c.get(
        'b',
        async () => 'b2',
        () => 100,
      ),
    ).toBe('b1');
    expect(
      await c.get(
        'a',
        async () => 'a2',
        () => 100,
      ),
    ).toBe('a2');
  });
});
