import { CopyTextButton } from '@backstage/core-components';
import { FleetEntry } from '@internal/plugin-openbao-backup-common';
import Box from '@material-ui/core/Box';
import Grid from '@material-ui/core/Grid';
import Typography from '@material-ui/core/Typography';
import { makeStyles } from '@material-ui/core/styles';
import { ReactNode } from 'react';
import {
  describeSchedule,
  formatBytes,
  formatDateTime,
  formatDuration,
  formatRelative,
  splitSchedule,
  viewerTimeZone,
} from '../../format';
import { HealthBadge } from '../HealthBadge';

const useStyles = makeStyles(theme => ({
  label: {
    color: theme.palette.text.secondary,
    fontSize: theme.typography.caption.fontSize,
    textTransform: 'uppercase',
    fontWeight: theme.typography.fontWeightBold as number,
    letterSpacing: 0.5,
  },
  value: { wordBreak: 'break-word', margin: 0 },
  mono: { fontFamily: 'monospace' },
  // The hash and its copy button side by side: the button never covers the hash's last characters.
  copyRow: { display: 'flex', alignItems: 'center', gap: theme.spacing(1) },
  hash: { fontFamily: 'monospace', wordBreak: 'break-all', minWidth: 0 },
}));

function Fact(props: { label: string; children: ReactNode; wide?: boolean }) {
  const classes = useStyles();
  return (
    <Grid item xs={12} sm={props.wide ? 12 : 6} md={props.wide ? 12 : 4}>
      <dt className={classes.label}>{props.label}</dt>
      <dd className={classes.value}>{props.children}</dd>
    </Grid>
  );
}

/** A time as "3 hours ago" with the absolute time in the viewer's zone. */
export function TimeAgo(props: { time?: string; emptyText?: string }) {
  const relative = formatRelative(props.time);
  if (!relative) return <>{props.emptyText ?? '—'}</>;
  return (
    <span title={props.time}>
      {relative}
      <Typography variant="caption" color="textSecondary" component="span">
        {' '}
        ({formatDateTime(props.time)})
      </Typography>
    </span>
  );
}

function NextRun(props: { cluster: FleetEntry }) {
  const { cluster } = props;
  const next = cluster.backup?.nextScheduledBackup;
  if (cluster.suspended) return <>Suspended (manual backups still allowed)</>;
  if (!next) return <>—</>;
  const zone = cluster.schedule
    ? splitSchedule(cluster.schedule, cluster.timeZone).timeZone
    : cluster.timeZone ?? 'UTC';
  const viewer = viewerTimeZone();
  // A slot the reconciler has not started (refused by pre-flight, or the pass is yet to come).
  const overdue = Date.parse(next) < Date.now();
  return (
    <span title={next}>
      {overdue
        ? `due ${formatRelative(next)}, not started yet`
        : formatRelative(next)}
      <br />
      <Typography variant="caption" color="textSecondary" component="span">
        {formatDateTime(next, zone)} ({zone})
        {viewer !== zone && (
          <>
            {' · '}
            {formatDateTime(next, viewer)} (your time)
          </>
        )}
      </Typography>
    </span>
  );
}

/** The facts of one cluster's backups: health, last success, next run, schedule, size … */
export function ClusterSummary(props: { cluster: FleetEntry }) {
  const classes = useStyles();
  const { cluster } = props;
  const backup = cluster.backup ?? {};
  const failures = backup.consecutiveFailures ?? 0;
  return (
    <Box component="dl" m={0}>
      <Grid container spacing={2}>
        <Fact label="Health">
          <HealthBadge
            health={cluster.health}
            backingUp={cluster.backingUp}
            reason={cluster.healthReason}
          />
        </Fact>
        <Fact label="Last successful backup">
          <TimeAgo time={backup.lastBackupTime} emptyText="Never" />
        </Fact>
        <Fact label="Next scheduled run">
          <NextRun cluster={cluster} />
        </Fact>
        <Fact label="Schedule">
          {describeSchedule(cluster.schedule, cluster.timeZone) ?? '—'}
          {cluster.schedule && (
            <Typography variant="caption" color="textSecondary" component="div">
              <code>{cluster.schedule}</code>
            </Typography>
          )}
        </Fact>
        <Fact label="Size">{formatBytes(backup.lastBackupSize)}</Fact>
        <Fact label="Duration">
          {formatDuration(backup.lastBackupDuration)}
        </Fact>
        <Fact label="Raft index / term">
          {backup.lastBackupRaftIndex ?? '—'} /{' '}
          {backup.lastBackupRaftTerm ?? '—'}
        </Fact>
        <Fact label="Consecutive failures">
          {failures}
          {failures > 0 && backup.lastFailureReason && (
            <Typography variant="body2" color="error" component="div">
              {backup.lastFailureReason}
            </Typography>
          )}
        </Fact>
        <Fact label="Last attempt">
          <TimeAgo time={backup.lastAttemptTime} />
        </Fact>
        {backup.lastBackupSha256 && (
          <Fact label="SHA-256 of the last snapshot" wide>
            <span className={classes.copyRow}>
              <span className={classes.hash}>{backup.lastBackupSha256}</span>
              <CopyTextButton
                text={backup.lastBackupSha256}
                tooltipText="SHA-256 copied to clipboard"
                aria-label="Copy SHA-256"
              />
            </span>
          </Fact>
        )}
        {backup.lastBackupName && (
          <Fact label="Last snapshot object" wide>
            <span className={classes.mono}>{backup.lastBackupName}</span>
          </Fact>
        )}
      </Grid>
    </Box>
  );
}
