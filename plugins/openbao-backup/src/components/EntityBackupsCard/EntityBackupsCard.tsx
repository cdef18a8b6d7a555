import {
  EmptyState,
  InfoCard,
  Progress,
  ResponseErrorPanel,
} from '@backstage/core-components';
import { useEntity, useEntityRefLink } from '@backstage/plugin-catalog-react';
import {
  FleetEntry,
  stringifyClusterRef,
} from '@internal/plugin-openbao-backup-common';
import Table from '@material-ui/core/Table';
import TableBody from '@material-ui/core/TableBody';
import TableCell from '@material-ui/core/TableCell';
import TableHead from '@material-ui/core/TableHead';
import TableRow from '@material-ui/core/TableRow';
import Typography from '@material-ui/core/Typography';
import { formatRelative } from '../../format';
import { useEntityClusters } from '../../hooks';
import { TimeAgo } from '../ClusterSummary';
import { HealthBadge } from '../HealthBadge';

function ClusterRow(props: { entry: FleetEntry }) {
  const { entry } = props;
  return (
    <TableRow>
      <TableCell component="th" scope="row">
        {entry.ref.namespace}/{entry.ref.name}
        <Typography variant="caption" color="textSecondary" component="div">
          {entry.ref.kubernetesCluster}
        </Typography>
      </TableCell>
      {entry.error ? (
        <TableCell colSpan={3}>
          <HealthBadge health="unknown" />
          <Typography variant="caption" color="error" component="div">
            Cannot read the cluster: {entry.error}
          </Typography>
        </TableCell>
      ) : (
        <>
          <TableCell>
            <HealthBadge
              health={entry.health}
              backingUp={entry.backingUp}
              reason={entry.healthReason}
            />
          </TableCell>
          <TableCell>
            <TimeAgo time={entry.backup?.lastBackupTime} emptyText="Never" />
          </TableCell>
          <TableCell>
            {entry.suspended
              ? 'Suspended'
              : formatRelative(entry.backup?.nextScheduledBackup) ?? '—'}
          </TableCell>
        </>
      )}
    </TableRow>
  );
}

/** Overview card: health, last success and next run of each linked OpenBao cluster. */
export function EntityBackupsCard() {
  const { entity } = useEntity();
  const { value, loading, error } = useEntityClusters(entity);
  const entityLink = useEntityRefLink();
  let body;
  if (loading && !value) {
    body = <Progress />;
  } else if (error) {
    body = <ResponseErrorPanel error={error} />;
  } else if (!value?.items.length) {
    body = (
      <EmptyState
        missing="data"
        title="No OpenBao clusters found"
        description="The openbao.org/cluster annotation names no cluster the backend manages."
      />
    );
  } else {
    body = (
      <Table size="small" aria-label="OpenBao backups">
        <TableHead>
          <TableRow>
            <TableCell>Cluster</TableCell>
            <TableCell>Health</TableCell>
            <TableCell>Last success</TableCell>
            <TableCell>Next run</TableCell>
          </TableRow>
        </TableHead>
        <TableBody>
          {value.items.map(entry => (
            <ClusterRow key={stringifyClusterRef(entry.ref)} entry={entry} />
          ))}
        </TableBody>
      </Table>
    );
  }
  return (
    <InfoCard
      title="OpenBao backups"
      deepLink={{
        title: 'View backups',
        link: `${entityLink(entity)}/backups`,
      }}
    >
      {body}
    </InfoCard>
  );
}
