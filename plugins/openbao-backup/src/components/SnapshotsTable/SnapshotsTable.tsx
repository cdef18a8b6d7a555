import {
  ResponseErrorPanel,
  Table,
  TableColumn,
} from '@backstage/core-components';
import {
  ClusterRef,
  SnapshotObject,
} from '@internal/plugin-openbao-backup-common';
import Typography from '@material-ui/core/Typography';
import { formatBytes } from '../../format';
import { useSnapshots } from '../../hooks';
import { TimeAgo } from '../ClusterSummary';

const timeOf = (o: SnapshotObject) =>
  Date.parse(o.time ?? o.lastModified ?? '') || 0;

const columns: TableColumn<SnapshotObject>[] = [
  {
    title: 'Object key',
    field: 'key',
    render: o => <code>{o.key}</code>,
  },
  {
    title: 'Taken',
    field: 'time',
    customSort: (a, b) => timeOf(a) - timeOf(b),
    render: o => <TimeAgo time={o.time ?? o.lastModified} />,
  },
  {
    title: 'Size',
    field: 'size',
    type: 'numeric',
    customSort: (a, b) => a.size - b.size,
    render: o => formatBytes(o.size),
  },
  {
    title: 'Kind',
    field: 'trigger',
    render: o => (o.trigger === 'pre-upgrade' ? 'pre-upgrade' : 'regular'),
  },
];

/** Objects in the bucket under the cluster's prefix: sortable, paginated, newest first. */
export function SnapshotsTable(props: {
  clusterRef: ClusterRef;
  refreshKey?: string;
}) {
  const { value, loading, error } = useSnapshots(
    props.clusterRef,
    props.refreshKey,
  );
  if (error) return <ResponseErrorPanel error={error} title="Snapshots" />;
  return (
    <Table<SnapshotObject>
      title="Snapshots in the bucket"
      isLoading={loading && !value}
      columns={columns}
      data={value?.items ?? []}
      options={{
        search: true,
        paging: true,
        pageSize: 5,
        pageSizeOptions: [5, 10, 25, 50],
        padding: 'dense',
      }}
      emptyContent={
        <Typography style={{ padding: 16 }}>
          No snapshots in the bucket yet.
        </Typography>
      }
    />
  );
}
