import { objectKeyFor } from '@internal/plugin-openbao-backup-common';
import { BucketObject, RetentionPlan, planRetention } from './planRetention';

const ref = { namespace: 'vault', name: 'prod' };
const prefix = 'backups';
const now = new Date('2026-11-25T12:00:00Z');
const DAY = 24 * 3600 * 1000;
const hex = (i: number) => i.toString(16).padStart(8, '0');

/** A snapshot `daysAgo` days before now (fractional allowed). */
function snap(
  daysAgo: number,
  opts: { pre?: boolean; size?: number; i?: number; cluster?: string } = {},
): BucketObject {
  const at = new Date(now.getTime() - daysAgo * DAY);
  return {
    key: objectKeyFor(
      { pathPrefix: prefix },
      { ...ref, name: opts.cluster ?? ref.name },
      at,
      hex(opts.i ?? Math.round(daysAgo * 1000) + 1),
      opts.pre ? 'pre-upgrade' : 'scheduled',
    ),
    size: opts.size ?? 1000,
    lastModified: now, // a copy or restore resets LastModified: it must not matter
  };
}
const keys = (entries: RetentionPlan['keep']) => entries.map(e => e.key);
const reasons = (plan: RetentionPlan) =>
  Object.fromEntries(
    [...plan.keep, ...plan.delete].map(e => [e.key, e.reason]),
  );

describe('planRetention', () => {
  it('plans nothing for an empty bucket', () => {
    expect(planRetention([], { maxCount: 3 }, ref, prefix, now)).toEqual({
      keep: [],
      delete: [],
    });
  });

  it('keeps one snapshot older than maxAge, because it is the newest', () => {
    const only = snap(100);
    expect(planRetention([only], { maxAge: '30d' }, ref, prefix, now)).toEqual({
      keep: [
        {
          key: only.key,
          size: 1000,
          time: expect.any(Date),
          trigger: 'scheduled-or-manual',
          reason: 'newest-successful',
          detail: 'the newest successful snapshot is always kept',
        },
      ],
      delete: [],
    });
  });

  it('keeps everything without a rule', () => {
    const objects = [snap(1), snap(2), snap(3)];
    const plan = planRetention(objects, {}, ref, prefix, now);
    expect(plan.delete).toEqual([]);
    expect(plan.keep.map(e => e.reason)).toEqual([
      'newest-successful',
      'no-rule',
      'no-rule',
    ]);
  });

  it.each([
    [1, 1],
    [3, 3],
    [5, 5], // exactly maxCount: nothing deleted
    [6, 5],
  ])('maxCount %d with 5 snapshots keeps %d', (maxCount, kept) => {
    const objects = [1, 2, 3, 4, 5].map(d => snap(d));
    const plan = planRetention(objects, { maxCount }, ref, prefix, now);
    expect(plan.keep).toHaveLength(Math.min(kept, 5));
    expect(plan.delete).toHaveLength(5 - Math.min(kept, 5));
    expect(keys(plan.keep)).toEqual(objects.slice(0, kept).map(o => o.key)); // newest first
    expect(plan.delete.every(e => e.reason === 'max-count')).toBe(true);
  });

  it('combines maxCount and maxAge: delete if either says so, never the newest', () => {
    const objects = [snap(1), snap(10), snap(20), snap(40), snap(50)];
    const plan = planRetention(
      objects,
      { maxCount: 4, maxAge: '30d' },
      ref,
      prefix,
      now,
    );
    expect(reasons(plan)).toEqual({
      [objects[0].key]: 'newest-successful',
      [objects[1].key]: 'within-max-count',
      [objects[2].key]: 'within-max-count',
      [objects[3].key]: 'max-age', // 4th by count, but too old
      [objects[4].key]: 'max-count',
    });
  });

  it('uses the timestamp in the key, not LastModified', () => {
    const old = { ...snap(40), lastModified: now };
    const newest = {
      ...snap(1),
      lastModified: new Date('2020-01-01T00:00:00Z'),
    };
    const plan = planRetention(
      [old, newest],
      { maxAge: '30d' },
      ref,
      prefix,
      now,
    );
    expect(keys(plan.delete)).toEqual([old.key]);
    expect(plan.keep[0]).toMatchObject({
      key: newest.key,
      reason: 'newest-successful',
    });
  });

  it('accepts maxAge in milliseconds and ignores an invalid one', () => {
    const objects = [snap(1), snap(3)];
    expect(
      keys(
        planRetention(objects, { maxAge: 2 * DAY }, ref, prefix, now).delete,
      ),
    ).toEqual([objects[1].key]);
    expect(
      planRetention(objects, { maxAge: 'soon' }, ref, prefix, now).delete,
    ).toEqual([]);
  });

  it('counts pre-upgrade snapshots apart (default 3) and applies maxAge to them', () => {
    const regular = [snap(1), snap(2), snap(3)];
    const pre = [1.5, 2.5, 3.5, 4.5, 5.5].map(d => snap(d, { pre: true }));
    const plan = planRetention(
      [...pre, ...regular],
      { maxCount: 2 },
      ref,
      prefix,
      now,
    );
    expect(keys(plan.delete).sort()).toEqual(
      [regular[2].key, pre[3].key, pre[4].key].sort(),
    );
    const withAge = planRetention(
      [...pre, ...regular],
      { maxCount: 2, maxAge: '3d', preUpgradeMaxCount: 10 },
      ref,
      prefix,
      now,
    );
    expect(keys(withAge.delete).sort()).toEqual(
      [regular[2].key, pre[2].key, pre[3].key, pre[4].key].sort(),
    );
  });

  it('keeps the newest even when it is a pre-upgrade snapshot beyond its count', () => {
    const pre = [snap(0.5, { pre: true }), snap(0.6, { pre: true })];
    const plan = planRetention(
      [...pre, snap(2)],
      { maxCount: 1, preUpgradeMaxCount: 0 },
      ref,
      prefix,
      now,
    );
    expect(reasons(plan)).toEqual({
      [pre[0].key]: 'newest-successful',
      [pre[1].key]: 'max-count',
      [snap(2).key]: 'within-max-count',
    });
  });

  it('never counts zero-byte objects as successes, deletes them only by age', () => {
    const empty = snap(0.1, { size: 0 });
    const objects = [empty, snap(1), snap(2), snap(40, { size: 0 })];
    const plan = planRetention(
      objects,
      { maxCount: 2, maxAge: '30d' },
      ref,
      prefix,
      now,
    );
    expect(reasons(plan)).toEqual({
      [empty.key]: 'empty-object',
      [objects[1].key]: 'newest-successful',
      [objects[2].key]: 'within-max-count',
      [objects[3].key]: 'max-age',
    });
  });

  it('keeps an only-empty listing', () => {
    const plan = planRetention(
      [snap(1, { size: 0 }), snap(2, { size: 0 })],
      { maxCount: 1 },
      ref,
      prefix,
      now,
    );
    expect(plan.delete).toEqual([]);
  });

  it('leaves foreign objects and other clusters out of the plan entirely', () => {
    const ours = [snap(1), snap(2)];
    const foreign: BucketObject[] = [
      { key: 'backups/vault/prod/README.md', size: 10 },
      { key: 'backups/vault/prod/manual-copy.snap', size: 10 },
      {
        key: 'backups/vault/prod/old/2026-01-01T00-00-00Z-00000001.snap',
        size: 10,
      },
      {
        key: 'backups/vault/prod-2/2026-01-01T00-00-00Z-00000001.snap',
        size: 10,
      }, // a cluster whose name extends ours
      {
        key: 'backups/other/prod/2026-01-01T00-00-00Z-00000001.snap',
        size: 10,
      },
      { key: 'vault/prod/2026-01-01T00-00-00Z-00000001.snap', size: 10 }, // no prefix
      snap(30, { cluster: 'prod-2' }),
    ];
    const plan = planRetention(
      [...foreign, ...ours],
      { maxCount: 1 },
      ref,
      prefix,
      now,
    );
    expect([...keys(plan.keep), ...keys(plan.delete)].sort()).toEqual(
      ours.map(o => o.key).sort(),
    );
  });

  it('keeps future timestamps (clock skew) without counting them, and still keeps the real newest', () => {
    const future = snap(-2, { i: 0xf1 });
    const nearFuture = snap(-1 / (24 * 60), { i: 0xf2 }); // one minute ahead: within the 5-minute skew, a normal snapshot
    const objects = [future, nearFuture, snap(1), snap(2)];
    const plan = planRetention(
      objects,
      { maxCount: 1, maxAge: '1h' },
      ref,
      prefix,
      now,
    );
    expect(reasons(plan)).toEqual({
      [future.key]: 'future-timestamp',
      [nearFuture.key]: 'newest-successful',
      [objects[2].key]: 'max-count',
      [objects[3].key]: 'max-count',
    });
  });

  it('breaks timestamp ties by key, deterministically', () => {
    const a = snap(1, { i: 0xa });
    const b = snap(1, { i: 0xb });
    const c = snap(1, { i: 0xc });
    const plan1 = planRetention([a, b, c], { maxCount: 1 }, ref, prefix, now);
    const plan2 = planRetention([c, a, b], { maxCount: 1 }, ref, prefix, now);
    expect(plan1).toEqual(plan2);
    expect(keys(plan1.keep)).toEqual([c.key]);
    expect(keys(plan1.delete)).toEqual([b.key, a.key]);
  });

  it('ignores a repeated key in a merged listing', () => {
    const one = snap(1);
    expect(
      planRetention([one, one], { maxCount: 5 }, ref, prefix, now).keep,
    ).toHaveLength(1);
  });

  it('handles a prefix written with slashes like the key builder', () => {
    const one = snap(1);
    expect(planRetention([one], {}, ref, '/backups/', now).keep).toHaveLength(
      1,
    );
  });

  it('plans 10k snapshots exactly', () => {
    const objects = Array.from({ length: 10000 }, (_, i) =>
      snap(i / 24, { i }),
    ); // hourly for 416 days
    const plan = planRetention(
      objects.reverse(),
      { maxCount: 168, maxAge: '30d' },
      ref,
      prefix,
      now,
    );
    expect(plan.keep).toHaveLength(168);
    expect(plan.delete).toHaveLength(10000 - 168);
    expect(plan.keep[0].reason).toBe('newest-successful');
    expect(plan.keep[0].time).toEqual(now);
  });
});
