import { usePermission } from '@backstage/plugin-permission-react';
import {
  ClusterRef,
  openBaoBackupTriggerPermission,
  stringifyClusterRef,
} from '@internal/plugin-openbao-backup-common';
import Button from '@material-ui/core/Button';
import CircularProgress from '@material-ui/core/CircularProgress';
import Dialog from '@material-ui/core/Dialog';
import DialogActions from '@material-ui/core/DialogActions';
import DialogContent from '@material-ui/core/DialogContent';
import DialogContentText from '@material-ui/core/DialogContentText';
import DialogTitle from '@material-ui/core/DialogTitle';
import TextField from '@material-ui/core/TextField';
import Tooltip from '@material-ui/core/Tooltip';
import Alert from '@material-ui/lab/Alert';
import AlertTitle from '@material-ui/lab/AlertTitle';
import BackupIcon from '@material-ui/icons/Backup';
import { FormEvent, useCallback, useState } from 'react';

export interface BackupNowButtonProps {
  clusterRef: ClusterRef;
  /** The catalog entity the permission is checked against (`kind:namespace/name`). */
  entityRef: string;
  /** A run is active or requested: the button is disabled. */
  running: boolean;
  /** The trigger request is in flight. */
  triggering: boolean;
  /** Posts the trigger; resolves `undefined` when the backend accepted it, else why not. */
  onTrigger: (reason: string) => Promise<string | undefined>;
}

/** "Back up now": permission-gated, asks for a reason, disabled while a run is active. */
export function BackupNowButton(props: BackupNowButtonProps) {
  const { clusterRef, entityRef, running, triggering, onTrigger } = props;
  const { loading, allowed } = usePermission({
    permission: openBaoBackupTriggerPermission,
    resourceRef: entityRef,
  });
  const [open, setOpen] = useState(false);
  const [reason, setReason] = useState('');
  const [touched, setTouched] = useState(false);
  // The backend's answer to the last attempt (e.g. the 409 pre-flight reason), shown in the dialog.
  const [refusal, setRefusal] = useState<string>();
  const label = stringifyClusterRef(clusterRef);
  const focusOnMount = useCallback(
    (input: HTMLElement | null) => input?.focus(),
    [],
  );

  let hint = '';
  if (!loading && !allowed) {
    hint = 'You are not allowed to start a backup of this cluster';
  } else if (running) {
    hint = 'A backup is running';
  }
  const disabled = loading || !allowed || running || triggering;

  const submit = async (event: FormEvent) => {
    event.preventDefault();
    setTouched(true);
    if (!reason.trim()) return;
    setRefusal(undefined);
    const why = await onTrigger(reason.trim());
    if (why === undefined) {
      setOpen(false);
      setReason('');
      setTouched(false);
    } else {
      setRefusal(why);
    }
  };

  const reasonMissing = touched && !reason.trim();
  return (
    <>
      <Tooltip title={hint}>
        <span>
          <Button
            variant="contained"
            color="primary"
            startIcon={
              running ? <CircularProgress size={16} /> : <BackupIcon />
            }
            disabled={disabled}
            onClick={() => {
              setRefusal(undefined);
              setOpen(true);
            }}
            aria-label={`Back up ${label} now`}
          >
            {running ? 'Backing up…' : 'Back up now'}
          </Button>
        </span>
      </Tooltip>
      <Dialog
        open={open}
        onClose={() => !triggering && setOpen(false)}
        aria-labelledby="openbao-backup-now-title"
        fullWidth
      >
        <form onSubmit={submit} noValidate>
          <DialogTitle id="openbao-backup-now-title">
            Back up {label} now
          </DialogTitle>
          <DialogContent>
            <DialogContentText>
              Starts a backup outside the schedule. The reason is recorded in
              the audit log.
            </DialogContentText>
            <TextField
              id={`openbao-backup-reason-${label}`}
              required
              fullWidth
              multiline
              minRows={2}
              label="Reason"
              value={reason}
              onChange={e => setReason(e.target.value)}
              onBlur={() => setTouched(true)}
              error={reasonMissing}
              helperText={reasonMissing ? 'A reason is required' : ' '}
              inputProps={{ maxLength: 500 }}
              inputRef={focusOnMount}
            />
            {refusal && (
              <Alert severity="error">
                <AlertTitle>The backup was not started</AlertTitle>
                {refusal}
              </Alert>
            )}
          </DialogContent>
          <DialogActions>
            <Button onClick={() => setOpen(false)} disabled={triggering}>
              Cancel
            </Button>
            <Button
              type="submit"
              color="primary"
              variant="contained"
              disabled={triggering || !reason.trim()}
            >
              {triggering ? 'Starting…' : 'Start backup'}
            </Button>
          </DialogActions>
        </form>
      </Dialog>
    </>
  );
}
