// Short words for the pre-flight reasons a person can act on; the backend's message follows.
const SKIP_TITLES: Record<string, string> = {
  UpgradeInProgress: 'the cluster is upgrading',
  RestoreInProgress: 'a restore is in progress',
  ClusterNotRunning: 'the cluster is not running',
  AuthNotConfigured: 'no OpenBao login is configured',
  ConfigInvalid: 'spec.backup is invalid',
  BackupNotConfigured: 'spec.backup is not set',
  ExecutorImageVerificationFailed: 'the executor image failed verification',
};

/** "the cluster is upgrading" for `UpgradeInProgress`; the message for a reason we have no words for. */
export function skipTitle(skip: { reason: string; message: string }): string {
  return SKIP_TITLES[skip.reason] ?? skip.message;
}
