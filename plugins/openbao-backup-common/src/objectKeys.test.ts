import {
  clusterPrefixFor,
  keyTimestamp,
  objectKeyFor,
  parseObjectKey,
} from './objectKeys';

const ref = { namespace: 'vault', name: 'prod' };
const at = new Date('2026-11-25T09:02:03.456Z');

describe('clusterPrefixFor', () => {
  it.each([
    [undefined, 'vault/prod/'],
    ['', 'vault/prod/'],
    ['/', 'vault/prod/'],
    ['backups', 'backups/vault/prod/'],
    ['/backups/', 'backups/vault/prod/'],
    ['a//b///c/', 'a/b/c/vault/prod/'],
  ])('prefix %j → %s', (pathPrefix, expected) => {
    expect(
      clusterPrefixFor(
        pathPrefix === undefined ? undefined : { pathPrefix },
        ref,
      ),
    ).toBe(expected);
  });
});

describe('objectKeyFor', () => {
  it.each([
    [
      { pathPrefix: 'backups' },
      'scheduled',
      'backups/vault/prod/2026-11-25T09-02-03Z-0badcafe.snap',
    ],
    [
      { pathPrefix: 'backups' },
      'manual',
      'backups/vault/prod/2026-11-25T09-02-03Z-0badcafe.snap',
    ],
    [
      { pathPrefix: '/backups/' },
      'pre-upgrade',
      'backups/vault/prod/pre-upgrade-2026-11-25T09-02-03Z-0badcafe.snap',
    ],
    [{}, 'scheduled', 'vault/prod/2026-11-25T09-02-03Z-0badcafe.snap'],
    [undefined, 'scheduled', 'vault/prod/2026-11-25T09-02-03Z-0badcafe.snap'],
  ] as const)('%j %s', (target, trigger, expected) => {
    const key = objectKeyFor(target, ref, at, '0badcafe', trigger);
    expect(key).toBe(expected);
    expect(key).not.toMatch(/^\/|\/\//);
  });

  it('writes UTC whatever the local zone, including Feb 29', () => {
    expect(keyTimestamp(new Date('2028-02-29T23:59:59.999Z'))).toBe(
      '2028-02-29T23-59-59Z',
    );
  });

  it.each(['0BADCAFE', 'abc', '0badcafe0', 'xyzxyzxy', ''])(
    'rejects hex %j',
    hex => {
      expect(() => objectKeyFor({}, ref, at, hex, 'scheduled')).toThrow(
        /8 lowercase hex/,
      );
    },
  );

  it('rejects an invalid date', () => {
    expect(() =>
      objectKeyFor({}, ref, new Date('nope'), '0badcafe', 'scheduled'),
    ).toThrow(/valid date/);
  });
});

describe('parseObjectKey', () => {
  it('round-trips both kinds', () => {
    for (const trigger of ['scheduled', 'pre-upgrade'] as const) {
      const key = objectKeyFor(
        { pathPrefix: 'p/q' },
        ref,
        at,
        'deadbeef',
        trigger,
      );
      expect(parseObjectKey(key, ref, '/p/q/')).toEqual({
        time: new Date('2026-11-25T09:02:03Z'),
        trigger:
          trigger === 'pre-upgrade' ? 'pre-upgrade' : 'scheduled-or-manual',
        hex: 'deadbeef',
      });
    }
  });

  it.each([
    ['other prefix', 'other/vault/prod/2026-11-25T09-02-03Z-deadbeef.snap'],
    ['other namespace', 'p/q/vault2/prod/2026-11-25T09-02-03Z-deadbeef.snap'],
    [
      'cluster whose name extends ours',
      'p/q/vault/prod-2/2026-11-25T09-02-03Z-deadbeef.snap',
    ],
    ['sub-folder', 'p/q/vault/prod/old/2026-11-25T09-02-03Z-deadbeef.snap'],
    ['foreign file', 'p/q/vault/prod/README.txt'],
    ['wrong extension', 'p/q/vault/prod/2026-11-25T09-02-03Z-deadbeef.snap.gz'],
    ['upper-case hex', 'p/q/vault/prod/2026-11-25T09-02-03Z-DEADBEEF.snap'],
    ['short hex', 'p/q/vault/prod/2026-11-25T09-02-03Z-deadbee.snap'],
    ['colons', 'p/q/vault/prod/2026-11-25T09:02:03Z-deadbeef.snap'],
    [
      'Feb 29 in a common year',
      'p/q/vault/prod/2026-02-29T00-00-00Z-deadbeef.snap',
    ],
    ['hour 24', 'p/q/vault/prod/2026-11-25T24-00-00Z-deadbeef.snap'],
    [
      'other marker',
      'p/q/vault/prod/post-upgrade-2026-11-25T09-02-03Z-deadbeef.snap',
    ],
    ['no prefix given', 'vault/prod/x/2026-11-25T09-02-03Z-deadbeef.snap'],
  ])('ignores %s', (_, key) => {
    expect(parseObjectKey(key, ref, 'p/q')).toBeUndefined();
  });

  it('accepts Feb 29 in a leap year', () => {
    expect(
      parseObjectKey('vault/prod/2028-02-29T00-00-00Z-00000000.snap', ref)
        ?.time,
    ).toEqual(new Date('2028-02-29T00:00:00Z'));
  });
});
