import { BackupTarget, BackupTrigger } from './types';

/** The part of a cluster reference that object keys use. */
export interface ClusterKeyRef {
  namespace: string;
  name: string;
}

/** What {@link parseObjectKey} reads back from one of our keys. */
export interface ParsedObjectKey {
  /** The run time written into the key (UTC, whole seconds). */
  time: Date;
  /** Scheduled and manual runs share one key shape; pre-upgrade runs are marked. */
  trigger: 'scheduled-or-manual' | 'pre-upgrade';
  /** The 8 lowercase hex characters that make the key unique. */
  hex: string;
}

const PRE_UPGRADE = 'pre-upgrade-';
const HEX8 = /^[0-9a-f]{8}$/;
const FILE_NAME =
  /^(pre-upgrade-)?(\d{4})-(\d{2})-(\d{2})T(\d{2})-(\d{2})-(\d{2})Z-([0-9a-f]{8})\.snap$/;

/** `a//b/` → `a/b`: no leading, trailing or doubled slashes. */
function normalizePrefix(pathPrefix: string | undefined): string {
  return (pathPrefix ?? '')
    .split('/')
    .filter(part => part !== '')
    .join('/');
}

function pad(n: number, width = 2): string {
  return String(n).padStart(width, '0');
}

/** `YYYY-MM-DDTHH-MM-SSZ` in UTC (colons are awkward in object keys and file names). */
export function keyTimestamp(runAt: Date): string {
  return (
    `${pad(runAt.getUTCFullYear(), 4)}-${pad(runAt.getUTCMonth() + 1)}-${pad(
      runAt.getUTCDate(),
    )}` +
    `T${pad(runAt.getUTCHours())}-${pad(runAt.getUTCMinutes())}-${pad(
      runAt.getUTCSeconds(),
    )}Z`
  );
}

/**
 * The folder of one cluster's snapshots, with a trailing slash: `<pathPrefix>/<namespace>/<cluster>/`
 * (no leading slash, no `//`; an empty prefix gives `<namespace>/<cluster>/`). List with this as the
 * S3 `Prefix`: the trailing slash keeps `prod` from matching `prod-2`.
 */
export function clusterPrefixFor(
  target: Pick<BackupTarget, 'pathPrefix'> | undefined,
  ref: ClusterKeyRef,
): string {
  const prefix = normalizePrefix(target?.pathPrefix);
  return `${prefix ? `${prefix}/` : ''}${ref.namespace}/${ref.name}/`;
}

/**
 * The object key of one snapshot (docs/contract.md §3):
 * `<pathPrefix>/<namespace>/<cluster>/[pre-upgrade-]<YYYY-MM-DDTHH-MM-SSZ>-<8 hex>.snap`.
 * `hex8` must be 8 lowercase hex characters (the caller draws them at random); anything else throws,
 * because a key that {@link parseObjectKey} cannot read back would escape retention.
 */
export function objectKeyFor(
  target: Pick<BackupTarget, 'pathPrefix'> | undefined,
  ref: ClusterKeyRef,
  runAt: Date,
  hex8: string,
  trigger: BackupTrigger,
): string {
  if (!HEX8.test(hex8)) {
    throw new Error(
      `objectKeyFor: "${hex8}" is not 8 lowercase hex characters`,
    );
  }
  if (Number.isNaN(runAt.getTime())) {
    throw new Error('objectKeyFor: runAt is not a valid date');
  }
  const marker = trigger === 'pre-upgrade' ? PRE_UPGRADE : '';
  return `${clusterPrefixFor(target, ref)}${marker}${keyTimestamp(
    runAt,
  )}-${hex8}.snap`;
}

/**
 * The inverse of {@link objectKeyFor} for one cluster: `undefined` for every key that is not one of
 * ours for exactly this cluster (foreign files, other clusters — including a cluster whose name
 * starts with this one's —, sub-folders, impossible dates). Retention only considers keys this
 * function accepts.
 */
export function parseObjectKey(
  key: string,
  ref: ClusterKeyRef,
  pathPrefix?: string,
): ParsedObjectKey | undefined {
  const prefix = clusterPrefixFor({ pathPrefix }, ref);
  if (!key.startsWith(prefix)) return undefined;
  const match = FILE_NAME.exec(key.slice(prefix.length));
  if (!match) return undefined;
  const [, pre, y, mo, d, h, mi, s, hex] = match;
  const time = new Date(
    Date.UTC(
      Number(y),
      Number(mo) - 1,
      Number(d),
      Number(h),
      Number(mi),
      Number(s),
    ),
  );
  // Reject dates that Date.UTC silently rolls over (Feb 30, hour 24, second 60 …).
  if (
    Number.isNaN(time.getTime()) ||
    keyTimestamp(time) !== `${y}-${mo}-${d}T${h}-${mi}-${s}Z`
  ) {
    return undefined;
  }
  return { time, trigger: pre ? 'pre-upgrade' : 'scheduled-or-manual', hex };
}
