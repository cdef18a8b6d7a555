import { MAX_DELETE_BATCH } from '@internal/plugin-openbao-backup-common';

/**
 * Splits keys into DeleteObjects batches of at most `size` (default and S3 maximum 1000), in order,
 * without duplicates.
 */
export function batchDeletes(
  keys: string[],
  size: number = MAX_DELETE_BATCH,
): string[][] {
  if (!Number.isInteger(size) || size < 1 || size > MAX_DELETE_BATCH) {
    throw new Error(
      `batchDeletes: size must be an integer from 1 to ${MAX_DELETE_BATCH}, got ${size}`,
    );
  }
  const unique = [...new Set(keys)];
  const batches: string[][] = [];
  for (let i = 0; i < unique.length; i += size)
    batches.push(unique.slice(i, i + size));
  return batches;
}
