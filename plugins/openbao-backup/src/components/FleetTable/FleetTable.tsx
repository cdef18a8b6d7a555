import { Link, Table, TableColumn } from '@backstage/core-components';
import { useEntityRefLink } from '@backstage/plugin-catalog-react';
import {
  FleetEntry,
  stringifyClusterRef,
} from '@internal/plugin-openbao-backup-common';
import Tooltip from '@material-ui/core/Tooltip';
import Typography from '@material-ui/core/Typography';
import {
  ageSeconds,
  formatInterval,
  shortEntityRef,
  staleness,
} from '../../format';
import { TimeAgo } from '../ClusterSummary';
import { HealthBadge } from '../HealthBadge';
import { SkipChip } from '../SkipChip';

type Row = FleetEntry & { id: string };

/** One row per cluster; rows arrive already filtered and sorted (most stale first). */
export function FleetTable(props: { entries: FleetEntry[]; now: Date }) {
  const { entries, now } = props;
  const entityLink = useEntityRefLink();
  const columns: TableColumn<Row>[] = [
    {
      title: 'Cluster',
      field: 'id',
      highlight: true,
      render: e => (
        <>
          <span>
            {e.ref.namespace}/{e.ref.name}
          </span>
          <Typography variant="caption" color="textSecondary" component="div">
            {e.ref.kubernetesCluster}
          </Typography>
        </>
      ),
    },
    {
      title: 'Owner',
      render: e =>
        e.owners?.length ? e.owners.map(shortEntityRef).join(', ') : '—',
      customSort: (a, b) =>
        (a.owners?.[0] ?? '').localeCompare(b.owners?.[0] ?? ''),
    },
    {
      title: 'Health',
      field: 'health',
      render: e =>
        e.error ? (
          <Tooltip title={e.error}>
            <span>
              <HealthBadge health="unknown" />
              <Typography variant="caption" color="error" component="div">
                unreachable
              </Typography>
            </span>
          </Tooltip>
        ) : (
          <>
            <HealthBadge
              health={e.health}
              backingUp={e.backingUp}
              reason={e.healthReason}
            />
            {e.skipped && (
              <div>
                <SkipChip skipped={e.skipped} />
              </div>
            )}
          </>
        ),
    },
    {
      title: 'Last success',
      customSort: (a, b) =>
        (Date.parse(a.backup?.lastBackupTime ?? '') || 0) -
        (Date.parse(b.backup?.lastBackupTime ?? '') || 0),
      render: e => (
        <TimeAgo time={e.backup?.lastBackupTime} emptyText="Never" />
      ),
    },
    {
      title: 'Age / RPO',
      customSort: (a, b) => staleness(a, now) - staleness(b, now),
      render: e => {
        const age = ageSeconds(e, now);
        return (
          <span title="Age of the last successful backup / expected interval">
            {age === undefined ? 'never' : formatInterval(age)} /{' '}
            {formatInterval(e.expectedIntervalSeconds)}
          </span>
        );
      },
    },
    {
      title: 'Failures',
      type: 'numeric',
      customSort: (a, b) =>
        (a.backup?.consecutiveFailures ?? 0) -
        (b.backup?.consecutiveFailures ?? 0),
      render: e => {
        const n = e.backup?.consecutiveFailures ?? 0;
        return n > 0 && e.backup?.lastFailureReason ? (
          <Tooltip title={e.backup.lastFailureReason}>
            <span>{n}</span>
          </Tooltip>
        ) : (
          n
        );
      },
    },
    {
      title: 'Backups',
      sorting: false,
      render: e =>
        e.entityRefs?.length ? (
          <Link
            to={`${entityLink(e.entityRefs[0])}/backups`}
            aria-label={`Backups of ${e.ref.namespace}/${e.ref.name}`}
          >
            View
          </Link>
        ) : (
          <Typography variant="caption" color="textSecondary">
            no catalog entity
          </Typography>
        ),
    },
  ];
  const data: Row[] = entries.map(e => ({
    ...e,
    id: stringifyClusterRef(e.ref),
  }));
  return (
    <Table<Row>
      title={`Clusters (${entries.length})`}
      columns={columns}
      data={data}
      options={{
        search: true,
        paging: entries.length > 20,
        pageSize: 20,
        padding: 'dense',
      }}
      emptyContent={
        <Typography style={{ padding: 16 }}>
          No cluster matches the filters.
        </Typography>
      }
    />
  );
}
