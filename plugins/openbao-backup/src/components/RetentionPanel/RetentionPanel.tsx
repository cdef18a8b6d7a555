import {
  InfoCard,
  Progress,
  ResponseErrorPanel,
} from '@backstage/core-components';
import {
  BackupRetention,
  ClusterRef,
} from '@internal/plugin-openbao-backup-common';
import List from '@material-ui/core/List';
import ListItem from '@material-ui/core/ListItem';
import ListItemText from '@material-ui/core/ListItemText';
import Typography from '@material-ui/core/Typography';
import Alert from '@material-ui/lab/Alert';
import { useRetentionPreview } from '../../hooks';

function describePolicy(retention?: BackupRetention): string {
  const rules = [
    retention?.maxCount !== undefined &&
      `keep the newest ${retention.maxCount} snapshot${
        retention.maxCount === 1 ? '' : 's'
      }`,
    retention?.maxAge && `delete snapshots older than ${retention.maxAge}`,
  ].filter(Boolean);
  if (!rules.length) return 'No retention rules: every snapshot is kept.';
  return `${rules.join(', ')}; the newest successful snapshot is always kept.`;
}

/** The retention policy and what it would delete on its next pass. */
export function RetentionPanel(props: {
  clusterRef: ClusterRef;
  retention?: BackupRetention;
  retentionApplies?: boolean;
  retentionReason?: string;
  refreshKey?: string;
}) {
  const { value, loading, error } = useRetentionPreview(
    props.clusterRef,
    props.refreshKey,
  );
  let preview;
  if (error) {
    preview = <ResponseErrorPanel error={error} title="Retention preview" />;
  } else if (loading && !value) {
    preview = <Progress />;
  } else if (value && !value.applies) {
    preview = (
      <Alert severity="info">
        Retention is not run by Backstage for this cluster:{' '}
        {value.reason ??
          props.retentionReason ??
          'the bucket lifecycle owns retention'}
        .
      </Alert>
    );
  } else if (value && value.delete.length === 0) {
    preview = (
      <Typography variant="body2">
        Nothing would be deleted next ({value.keep.length} kept).
      </Typography>
    );
  } else if (value) {
    preview = (
      <>
        <Typography variant="body2">
          Next pass would delete {value.delete.length} snapshot
          {value.delete.length === 1 ? '' : 's'} and keep {value.keep.length}:
        </Typography>
        <List dense aria-label="Snapshots retention would delete">
          {value.delete.map(d => (
            <ListItem key={d.key} disableGutters>
              <ListItemText
                primary={<code>{d.key}</code>}
                secondary={d.reason}
              />
            </ListItem>
          ))}
        </List>
      </>
    );
  }
  return (
    <InfoCard title="Retention">
      <Typography variant="body1" gutterBottom>
        Policy: {describePolicy(props.retention)}
      </Typography>
      {preview}
    </InfoCard>
  );
}
