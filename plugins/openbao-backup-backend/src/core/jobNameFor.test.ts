import { jobNameFor, shortHash } from './jobNameFor';

const at = new Date('2026-11-25T09:02:03.456Z');
const DNS_LABEL = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;

describe('jobNameFor', () => {
  it.each([
    ['prod', 'backup-prod-20261125090203'],
    ['a', 'backup-a-20261125090203'],
    // 41 characters is the longest name that fits as is: 7 + 41 + 1 + 14 = 63.
    ['c'.repeat(41), `backup-${'c'.repeat(41)}-20261125090203`],
  ])('%s → %s', (cluster, expected) => {
    expect(jobNameFor(cluster, at)).toBe(expected);
  });

  it.each([
    ['c'.repeat(42)],
    ['c'.repeat(63)],
    [
      'a-very-long-openbao-cluster-name-for-the-payments-team-in-eu-west-1-prod',
    ], // 72
    ['x'.repeat(80)],
    ['x'.repeat(253)],
    ['prod.eu'],
    ['Prod'],
    ['prod-'.repeat(16)], // cut leaves a trailing dash that must go
    ['ünïcode-名前'],
    ['...'],
  ])('cuts and hashes %j into a DNS label of ≤ 63', cluster => {
    const name = jobNameFor(cluster, at);
    expect(name.length).toBeLessThanOrEqual(63);
    expect(name).toMatch(DNS_LABEL);
    expect(name).toContain(shortHash(cluster));
    expect(name.endsWith('-20261125090203')).toBe(true);
    expect(jobNameFor(cluster, at)).toBe(name); // deterministic
  });

  it('gives the exact shape of a cut name', () => {
    const cluster = 'x'.repeat(80);
    expect(jobNameFor(cluster, at)).toBe(
      `backup-${'x'.repeat(35)}-${shortHash(cluster)}-20261125090203`,
    );
  });

  it('never lets two clusters collide, even with a shared 63-char prefix or after sanitising', () => {
    const clusters = [
      `${'p'.repeat(60)}-a`,
      `${'p'.repeat(60)}-b`,
      `${'p'.repeat(35)}`,
      'prod.eu',
      'prod-eu',
      'Prod-eu',
      ...Array.from({ length: 200 }, (_, i) => `${'team-'.repeat(9)}${i}`),
    ];
    const names = clusters.map(c => jobNameFor(c, at));
    expect(new Set(names).size).toBe(clusters.length);
  });

  it('differs per second and uses UTC', () => {
    expect(jobNameFor('prod', new Date('2026-11-25T09:02:04Z'))).toBe(
      'backup-prod-20261125090204',
    );
    expect(jobNameFor('prod', new Date('2028-02-29T23:59:59.999Z'))).toBe(
      'backup-prod-20280229235959',
    );
  });
});
