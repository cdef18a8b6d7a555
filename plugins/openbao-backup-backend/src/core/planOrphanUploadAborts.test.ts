import { planOrphanUploadAborts } from './planOrphanUploadAborts';

const ref = { namespace: 'vault', name: 'prod' };
const now = new Date('2026-11-25T12:00:00Z');
const ours = 'backups/vault/prod/2026-11-24T02-00-00Z-0badcafe.snap';

describe('planOrphanUploadAborts', () => {
  it.each([
    ['older than 24 h', ours, '2026-11-24T11:59:59Z', true],
    ['exactly 24 h', ours, '2026-11-24T12:00:00Z', false],
    ['in flight', ours, '2026-11-25T11:00:00Z', false],
    ['initiated as a Date', ours, new Date('2026-11-20T00:00:00Z'), true],
    ['no initiated time', ours, undefined, false],
    [
      'foreign key under the prefix',
      'backups/vault/prod/other.bin',
      '2026-11-01T00:00:00Z',
      false,
    ],
    [
      'another cluster',
      'backups/vault/prod-2/2026-11-24T02-00-00Z-0badcafe.snap',
      '2026-11-01T00:00:00Z',
      false,
    ],
  ])('%s → abort: %s', (_, key, initiated, abort) => {
    const plan = planOrphanUploadAborts(
      [{ key, uploadId: 'u1', initiated }],
      ref,
      'backups',
      now,
    );
    expect(plan.map(p => p.key)).toEqual(abort ? [key] : []);
    expect(plan.every(p => /older than 86400 s/.test(p.reason))).toBe(true);
  });

  it('takes a custom age', () => {
    expect(
      planOrphanUploadAborts(
        [{ key: ours, uploadId: 'u', initiated: '2026-11-25T11:00:00Z' }],
        ref,
        'backups',
        now,
        30 * 60 * 1000,
      ),
    ).toHaveLength(1);
  });
});
