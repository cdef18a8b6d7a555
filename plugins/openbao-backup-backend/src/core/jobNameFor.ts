import { createHash } from 'node:crypto';

const MAX_LENGTH = 63;
const PREFIX = 'backup-';

function stamp(runAt: Date): string {
  return runAt.toISOString().replace(/[-:T]/g, '').slice(0, 14);
}

/** 5 lowercase hex characters of sha256(text): deterministic, so a restarted backend finds its Job. */
export function shortHash(text: string): string {
  return createHash('sha256').update(text).digest('hex').slice(0, 5);
}

/**
 * The Job name of a run: `backup-<cluster>-<YYYYMMDDHHMMSS>` (UTC). When that would exceed 63
 * characters, or the cluster name has characters a DNS label cannot hold (`.`, upper case), the
 * cluster part is cut and sanitised and a 5-character hash of the full cluster name is added:
 * `backup-<cut cluster>-<hash5>-<YYYYMMDDHHMMSS>`. The result is always a valid DNS-1123 label
 * (≤ 63, `[a-z0-9-]`, alphanumeric at both ends), and two clusters never share a name for the same
 * second (different names → different hashes, barring a 20-bit collision on a shared 35-char prefix).
 */
export function jobNameFor(clusterName: string, runAt: Date): string {
  const ts = stamp(runAt);
  const plain = `${PREFIX}${clusterName}-${ts}`;
  if (
    plain.length <= MAX_LENGTH &&
    /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/.test(clusterName)
  ) {
    return plain;
  }
  const hash = shortHash(clusterName);
  const room = MAX_LENGTH - PREFIX.length - 1 - hash.length - 1 - ts.length;
  const cut = clusterName
    .toLowerCase()
    .replace(/[^a-z0-9-]/g, '-')
    .slice(0, room)
    .replace(/^-+|-+$/g, '');
  return `${PREFIX}${cut ? `${cut}-` : ''}${hash}-${ts}`;
}
