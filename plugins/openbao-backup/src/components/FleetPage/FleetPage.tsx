import {
  Content,
  ContentHeader,
  EmptyState,
  Progress,
  ResponseErrorPanel,
  SupportButton,
  WarningPanel,
} from '@backstage/core-components';
import { BackupHealth } from '@internal/plugin-openbao-backup-common';
import Grid from '@material-ui/core/Grid';
import TextField from '@material-ui/core/TextField';
import { useMemo, useState } from 'react';
import { shortEntityRef, sortByStaleness } from '../../format';
import { useFleet } from '../../hooks';
import { FleetTable } from '../FleetTable';

const HEALTHS: BackupHealth[] = [
  'failing',
  'stale',
  'never',
  'unknown',
  'suspended',
  'ok',
];

const ALL = '';

function FilterSelect(props: {
  id: string;
  label: string;
  value: string;
  options: string[];
  optionLabel?: (option: string) => string;
  onChange: (value: string) => void;
}) {
  const optionLabel = props.optionLabel ?? (o => o);
  return (
    <TextField
      id={props.id}
      select
      label={props.label}
      value={props.value}
      onChange={e => props.onChange(e.target.value)}
      SelectProps={{ native: true }}
      // "All" is the empty value: unshrunk, the label would be drawn over it.
      InputLabelProps={{ shrink: true }}
      variant="outlined"
      size="small"
      fullWidth
    >
      <option value={ALL}>All</option>
      {props.options.map(o => (
        <option key={o} value={o}>
          {optionLabel(o)}
        </option>
      ))}
    </TextField>
  );
}

/** Fleet page: every OpenBao cluster, most stale first, filterable by health and owner. */
export function FleetPage(props: { now?: Date }) {
  const { value: fleet, loading, error } = useFleet();
  const value = fleet?.items;
  const unreadable = fleet?.errors ?? [];
  const [health, setHealth] = useState(ALL);
  const [owner, setOwner] = useState(ALL);
  // "now" moves on each time the fleet is (re)loaded.
  const fixedNow = props.now;
  const now = useMemo(
    () => fixedNow ?? (value ? new Date() : new Date(0)),
    [fixedNow, value],
  );

  const owners = useMemo(
    () =>
      [...new Set((value ?? []).flatMap(e => e.owners ?? []))].sort((a, b) =>
        a.localeCompare(b),
      ),
    [value],
  );
  const rows = useMemo(() => {
    const filtered = (value ?? []).filter(
      e =>
        (health === ALL || (e.error ? 'unknown' : e.health) === health) &&
        (owner === ALL || (e.owners ?? []).includes(owner)),
    );
    return sortByStaleness(filtered, now);
  }, [value, health, owner, now]);

  let body;
  if (loading && !value) {
    body = <Progress />;
  } else if (error) {
    body = <ResponseErrorPanel error={error} />;
  } else if (!value?.length && !unreadable.length) {
    body = (
      <EmptyState
        missing="data"
        title="No OpenBao clusters"
        description="The backend found no OpenBaoCluster with spec.backup in the configured Kubernetes clusters (openbaoBackup.kubernetes.clusters)."
      />
    );
  } else {
    body = (
      <Grid container spacing={2}>
        {unreadable.map(u => (
          <Grid item xs={12} key={u.kubernetesCluster}>
            <WarningPanel
              title={`Kubernetes cluster ${u.kubernetesCluster} could not be read; its OpenBao clusters are missing below`}
              message={u.message}
            />
          </Grid>
        ))}
        <Grid item xs={12} sm={4} md={3}>
          <FilterSelect
            id="openbao-fleet-health"
            label="Health"
            value={health}
            options={HEALTHS}
            onChange={setHealth}
          />
        </Grid>
        <Grid item xs={12} sm={4} md={3}>
          <FilterSelect
            id="openbao-fleet-owner"
            label="Owner"
            value={owner}
            options={owners}
            optionLabel={shortEntityRef}
            onChange={setOwner}
          />
        </Grid>
        <Grid item xs={12}>
          <FleetTable entries={rows} now={now} />
        </Grid>
      </Grid>
    );
  }
  return (
    <Content>
      <ContentHeader title="Backups across all clusters">
        <SupportButton>
          Every OpenBao cluster the backend manages, most stale first: age of
          the last successful backup divided by the schedule's interval (RPO).
        </SupportButton>
      </ContentHeader>
      {body}
    </Content>
  );
}
