import {
  InfoCard,
  Progress,
  ResponseErrorPanel,
  WarningPanel,
} from '@backstage/core-components';
import {
  ClusterDetail,
  FleetEntry,
} from '@internal/plugin-openbao-backup-common';
import Box from '@material-ui/core/Box';
import Grid from '@material-ui/core/Grid';
import LinearProgress from '@material-ui/core/LinearProgress';
import Typography from '@material-ui/core/Typography';
import Alert from '@material-ui/lab/Alert';
import AlertTitle from '@material-ui/lab/AlertTitle';
import { skipTitle } from '../../format';
import { useClusterBackup } from '../../hooks';
import { BackupNowButton } from '../BackupNowButton';
import { ClusterSummary } from '../ClusterSummary';
import { RetentionPanel } from '../RetentionPanel';
import { RunHistoryTable } from '../RunHistoryTable';
import { SnapshotsTable } from '../SnapshotsTable';

export interface ClusterPanelProps {
  /** The cluster as the entity endpoint listed it. */
  entry: FleetEntry;
  /** The entity the page belongs to; "Back up now" is authorized against it. */
  entityRef: string;
  /** Refresh interval while a run is active; default 5 s. */
  pollIntervalMs?: number;
}

/** Why no backup starts now (the pre-flight refusal), so "Never backed up" does not stand alone. */
function RefusalNotice(props: {
  refusal: NonNullable<ClusterDetail['preflightRefusal']>;
}) {
  const { reason, message } = props.refusal;
  return (
    <Alert severity="warning">
      <AlertTitle>Skipped: {skipTitle(props.refusal)}</AlertTitle>
      No backup starts while this holds: scheduled runs are refused and recorded
      on the BackingUp condition, and "Back up now" is refused too.
      <br />
      {reason}: {message}
    </Alert>
  );
}

function ClusterBody(props: { detail: ClusterDetail; running: boolean }) {
  const { detail, running } = props;
  // Snapshots and the retention preview reload when a run has ended.
  const refreshKey = `${detail.backup?.lastBackupTime ?? ''}|${
    detail.backup?.lastAttemptTime ?? ''
  }`;
  return (
    <Grid container spacing={3}>
      {running && (
        <Grid item xs={12}>
          <Box role="status" aria-live="polite">
            <Typography variant="body2" gutterBottom>
              Backup in progress…
              {detail.backup?.activeJob && (
                <> (Job {detail.backup.activeJob})</>
              )}
            </Typography>
            <LinearProgress aria-label="Backup in progress" />
          </Box>
        </Grid>
      )}
      {detail.preflightRefusal && (
        <Grid item xs={12}>
          <RefusalNotice refusal={detail.preflightRefusal} />
        </Grid>
      )}
      <Grid item xs={12}>
        <ClusterSummary cluster={detail} />
      </Grid>
      <Grid item xs={12}>
        <RunHistoryTable runs={detail.runs} />
      </Grid>
      <Grid item xs={12} lg={8}>
        <SnapshotsTable clusterRef={detail.ref} refreshKey={refreshKey} />
      </Grid>
      <Grid item xs={12} lg={4}>
        <RetentionPanel
          clusterRef={detail.ref}
          retention={detail.retention}
          retentionApplies={detail.retentionApplies}
          retentionReason={detail.retentionReason}
          refreshKey={refreshKey}
        />
      </Grid>
    </Grid>
  );
}

/** Everything about one linked cluster: status, "Back up now", runs, snapshots and retention. */
export function ClusterPanel(props: ClusterPanelProps) {
  const { entry, entityRef, pollIntervalMs } = props;
  const ref = entry.ref;
  const state = useClusterBackup(ref, { pollIntervalMs });
  const detail = state.value;

  let body;
  if (detail) {
    body = detail.error ? (
      <WarningPanel
        title={`Cannot read ${ref.namespace}/${ref.name} on ${ref.kubernetesCluster}`}
        message={detail.error}
      />
    ) : (
      <ClusterBody detail={detail} running={state.running} />
    );
  } else if (state.error) {
    body = <ResponseErrorPanel error={state.error} />;
  } else {
    body = <Progress />;
  }

  return (
    <InfoCard
      title={`${ref.namespace}/${ref.name}`}
      subheader={`Kubernetes cluster ${ref.kubernetesCluster}`}
      action={
        <Box pt={1} pr={1}>
          <BackupNowButton
            clusterRef={ref}
            entityRef={entityRef}
            running={state.running}
            triggering={state.triggering}
            onTrigger={state.trigger}
          />
        </Box>
      }
    >
      {body}
    </InfoCard>
  );
}
