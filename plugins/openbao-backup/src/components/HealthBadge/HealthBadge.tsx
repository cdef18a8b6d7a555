import {
  StatusAborted,
  StatusError,
  StatusOK,
  StatusPending,
  StatusRunning,
  StatusWarning,
} from '@backstage/core-components';
import { BackupHealth } from '@internal/plugin-openbao-backup-common';
import Tooltip from '@material-ui/core/Tooltip';
import { ComponentType, ReactNode } from 'react';

const LOOK: Record<
  BackupHealth,
  {
    Glyph: ComponentType<{ children?: ReactNode }>;
    label: string;
    hint: string;
  }
> = {
  ok: { Glyph: StatusOK, label: 'OK', hint: 'The last backup is recent' },
  stale: {
    Glyph: StatusWarning,
    label: 'Stale',
    hint: 'The last successful backup is older than the schedule allows',
  },
  failing: {
    Glyph: StatusError,
    label: 'Failing',
    hint: 'The latest backup runs failed',
  },
  never: {
    Glyph: StatusPending,
    label: 'Never backed up',
    hint: 'No successful backup yet',
  },
  suspended: {
    Glyph: StatusAborted,
    label: 'Suspended',
    hint: 'Scheduled backups are suspended',
  },
  unknown: {
    Glyph: StatusPending,
    label: 'Unknown',
    hint: 'The cluster could not be read or its schedule is invalid',
  },
};

/** Backup health as a Backstage status glyph and a word; "Backing up" while a run is active. */
export function HealthBadge(props: {
  health: BackupHealth;
  backingUp?: boolean;
  /** The backend's one-sentence explanation; replaces the generic tooltip. */
  reason?: string;
}) {
  const { health, backingUp, reason } = props;
  const look = LOOK[health] ?? LOOK.unknown;
  return (
    <Tooltip title={reason ?? look.hint}>
      <span data-testid="health-badge" data-health={health}>
        <look.Glyph>{look.label}</look.Glyph>
        {backingUp && <StatusRunning>Backing up</StatusRunning>}
      </span>
    </Tooltip>
  );
}
