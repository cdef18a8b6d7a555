import { BackupHealth } from '@internal/plugin-openbao-backup-common';

/** Health states that deserve a message to the owner. */
const BAD: ReadonlySet<BackupHealth> = new Set(['failing', 'stale']);

/**
 * Whether a health change is news for the owner: turning failing or stale (once per state), and
 * recovering to ok from one of them. Anything else (never, suspended, unknown, unchanged) is not.
 */
export function healthTransition(
  previous: BackupHealth | undefined,
  current: BackupHealth,
): 'degraded' | 'recovered' | undefined {
  if (previous === current) return undefined;
  if (BAD.has(current)) return 'degraded';
  if (current === 'ok' && previous !== undefined && BAD.has(previous))
    return 'recovered';
  return undefined;
}
