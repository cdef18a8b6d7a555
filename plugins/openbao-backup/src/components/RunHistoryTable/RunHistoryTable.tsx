import {
  StatusError,
  StatusOK,
  StatusPending,
  StatusRunning,
  Table,
  TableColumn,
} from '@backstage/core-components';
import { BackupRun } from '@internal/plugin-openbao-backup-common';
import Typography from '@material-ui/core/Typography';
import { formatBytes, formatDuration } from '../../format';
import { TimeAgo } from '../ClusterSummary';

function Phase(props: { run: BackupRun }) {
  switch (props.run.phase) {
    case 'Succeeded':
      return <StatusOK>Succeeded</StatusOK>;
    case 'Failed':
      return <StatusError>Failed</StatusError>;
    case 'Running':
      return <StatusRunning>Running</StatusRunning>;
    default:
      return <StatusPending>{props.run.phase}</StatusPending>;
  }
}

const columns: TableColumn<BackupRun>[] = [
  { title: 'Result', field: 'phase', render: run => <Phase run={run} /> },
  { title: 'Trigger', field: 'trigger' },
  {
    title: 'Started',
    field: 'startTime',
    render: run => <TimeAgo time={run.startTime} />,
  },
  {
    title: 'Duration',
    field: 'durationSeconds',
    type: 'numeric',
    render: run => formatDuration(run.durationSeconds),
  },
  {
    title: 'Size',
    field: 'size',
    type: 'numeric',
    render: run => formatBytes(run.size),
  },
  {
    title: 'Job / message',
    field: 'jobName',
    render: run => (
      <>
        <code>{run.jobName}</code>
        {run.executorImageDigest && (
          <Typography
            variant="body2"
            color="textSecondary"
            title={run.executorImageDigest}
          >
            verified image {run.executorImageDigest.slice(0, 19)}…
          </Typography>
        )}
        {(run.reason || run.message) && (
          <Typography
            variant="body2"
            color={run.phase === 'Failed' ? 'error' : 'textSecondary'}
          >
            {[run.reason, run.message].filter(Boolean).join(': ')}
          </Typography>
        )}
      </>
    ),
  },
];

/** Recent backup Jobs of one cluster, newest first (`ClusterDetail.runs`). */
export function RunHistoryTable(props: { runs: BackupRun[] }) {
  return (
    <Table<BackupRun>
      title="Run history"
      columns={columns}
      data={props.runs}
      options={{
        search: false,
        paging: props.runs.length > 10,
        pageSize: 10,
        padding: 'dense',
      }}
      emptyContent={
        <Typography style={{ padding: 16 }}>No backup runs yet.</Typography>
      }
    />
  );
}
