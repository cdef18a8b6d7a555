import {
  ClusterKeyRef,
  DEFAULT_PRE_UPGRADE_KEEP,
  parseObjectKey,
  tryParseDuration,
} from '@internal/plugin-openbao-backup-common';
import { Timestamp } from './types';

/** One object of a bucket listing. */
export interface BucketObject {
  key: string;
  size: number;
  lastModified?: Timestamp;
  metadata?: Record<string, string>;
}

/** What retention keeps and deletes. Both rules are optional. */
export interface RetentionPolicy {
  /** Scheduled + manual snapshots to keep (newest first). */
  maxCount?: number;
  /** Delete snapshots whose key timestamp is older than this: a duration (`30d`) or milliseconds. */
  maxAge?: string | number;
  /** Pre-upgrade snapshots to keep, counted apart. Default 3. */
  preUpgradeMaxCount?: number;
  /** Key timestamps further than this in the future are treated as clock skew. Default 5 min. */
  futureSkewMs?: number;
}

export type RetentionReason =
  | 'newest-successful'
  | 'within-max-count'
  | 'within-max-age'
  | 'no-rule'
  | 'future-timestamp'
  | 'empty-object'
  | 'max-count'
  | 'max-age';

export interface RetentionEntry {
  key: string;
  size: number;
  time: Date;
  trigger: 'scheduled-or-manual' | 'pre-upgrade';
  reason: RetentionReason;
  /** A sentence for the preview UI and Events. */
  detail: string;
}

export interface RetentionPlan {
  /** Newest first. */
  keep: RetentionEntry[];
  /** Newest first. */
  delete: RetentionEntry[];
}

const DEFAULT_FUTURE_SKEW_MS = 5 * 60 * 1000;

function compareKeysDescending(a: string, b: string): number {
  if (a === b) return 0;
  return a < b ? 1 : -1;
}

/**
 * Plans retention for one cluster. Only keys that `parseObjectKey` accepts for this cluster and
 * prefix are candidates; every other object is left out of the plan altogether. Rules:
 *
 * - Order is by the timestamp in the key (not LastModified), newest first; ties break by key, the
 *   larger key counting as newer, so the plan is deterministic.
 * - Zero-byte objects are not successful snapshots: they are never "newest", never counted; only
 *   `maxAge` deletes them (`empty-object` keep otherwise).
 * - Keys more than `futureSkewMs` ahead of `now` are kept (`future-timestamp`) and not counted.
 * - The newest successful snapshot (either kind, not in the future) is always kept.
 * - `maxCount` applies to scheduled + manual snapshots; pre-upgrade snapshots have their own count
 *   (`preUpgradeMaxCount`, default 3). `maxAge` applies to both kinds. A snapshot is deleted when
 *   either rule says so (count first in the reason).
 * - An invalid `maxAge` disables that rule (validation reports it); a missing rule deletes nothing.
 */
export function planRetention(
  objects: BucketObject[],
  policy: RetentionPolicy,
  ref: ClusterKeyRef,
  pathPrefix: string | undefined,
  now: Date,
): RetentionPlan {
  let maxAgeMs: number | undefined;
  if (typeof policy.maxAge === 'number') {
    maxAgeMs = policy.maxAge;
  } else if (policy.maxAge !== undefined) {
    const parsed = tryParseDuration(policy.maxAge);
    maxAgeMs = parsed.ok && parsed.ms > 0 ? parsed.ms : undefined;
  }
  const skew = policy.futureSkewMs ?? DEFAULT_FUTURE_SKEW_MS;
  const preUpgradeMax = policy.preUpgradeMaxCount ?? DEFAULT_PRE_UPGRADE_KEEP;
  const nowMs = now.getTime();

  const candidates = objects
    .map(o => ({ o, parsed: parseObjectKey(o.key, ref, pathPrefix) }))
    .filter(
      (c): c is { o: BucketObject; parsed: NonNullable<typeof c.parsed> } =>
        !!c.parsed,
    )
    .sort(
      (a, b) =>
        b.parsed.time.getTime() - a.parsed.time.getTime() ||
        compareKeysDescending(a.o.key, b.o.key),
    );

  const newest = candidates.find(
    c => c.o.size > 0 && c.parsed.time.getTime() <= nowMs + skew,
  );
  const counts = { 'scheduled-or-manual': 0, 'pre-upgrade': 0 };
  const plan: RetentionPlan = { keep: [], delete: [] };
  const seen = new Set<string>();

  for (const { o, parsed } of candidates) {
    if (seen.has(o.key)) continue; // a listing never repeats a key, but a merged one might
    seen.add(o.key);
    const base = {
      key: o.key,
      size: o.size,
      time: parsed.time,
      trigger: parsed.trigger,
    };
    const keep = (reason: RetentionReason, detail: string) =>
      plan.keep.push({ ...base, reason, detail });
    const drop = (reason: RetentionReason, detail: string) =>
      plan.delete.push({ ...base, reason, detail });
    const ageMs = nowMs - parsed.time.getTime();
    const tooOld = maxAgeMs !== undefined && ageMs > maxAgeMs;
    const ageDetail = `taken ${Math.round(
      ageMs / 1000,
    )} s ago, older than maxAge ${policy.maxAge}`;

    if (parsed.time.getTime() > nowMs + skew) {
      keep(
        'future-timestamp',
        'key timestamp is in the future (clock skew?): kept and not counted',
      );
      continue;
    }
    if (o === newest?.o) {
      counts[parsed.trigger] += 1; // it counts towards its kind's limit
      keep(
        'newest-successful',
        'the newest successful snapshot is always kept',
      );
      continue;
    }
    if (o.size <= 0) {
      if (tooOld) drop('max-age', `empty object ${ageDetail}`);
      else
        keep(
          'empty-object',
          'empty object: not a successful snapshot, not counted',
        );
      continue;
    }
    counts[parsed.trigger] += 1;
    const rank = counts[parsed.trigger];
    const limit =
      parsed.trigger === 'pre-upgrade' ? preUpgradeMax : policy.maxCount;
    const label =
      parsed.trigger === 'pre-upgrade' ? 'pre-upgrade snapshot' : 'snapshot';
    if (limit !== undefined && rank > limit) {
      drop(
        'max-count',
        `${label} #${rank} of its kind, beyond ${
          parsed.trigger === 'pre-upgrade' ? 'preUpgradeMaxCount' : 'maxCount'
        } ${limit}`,
      );
    } else if (tooOld) {
      drop('max-age', ageDetail);
    } else if (limit !== undefined) {
      keep(
        'within-max-count',
        `${label} #${rank} of its kind, within ${limit}`,
      );
    } else if (maxAgeMs !== undefined) {
      keep(
        'within-max-age',
        `taken ${Math.round(ageMs / 1000)} s ago, within maxAge ${
          policy.maxAge
        }`,
      );
    } else {
      keep('no-rule', 'no retention rule applies');
    }
  }
  return plan;
}
