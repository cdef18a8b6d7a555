import { SkipReason } from '@internal/plugin-openbao-backup-common';
import Chip from '@material-ui/core/Chip';
import Tooltip from '@material-ui/core/Tooltip';
import { skipTitle } from '../../format';

/** "Skipped: the cluster is upgrading" under the health; the reason and message in the tooltip. */
export function SkipChip(props: { skipped: SkipReason }) {
  const { skipped } = props;
  return (
    <Tooltip
      title={`No scheduled backup starts while this holds. ${skipped.reason}: ${skipped.message}`}
    >
      <Chip
        size="small"
        variant="outlined"
        data-testid="skip-chip"
        data-reason={skipped.reason}
        label={`Skipped: ${skipTitle(skipped)}`}
      />
    </Tooltip>
  );
}
