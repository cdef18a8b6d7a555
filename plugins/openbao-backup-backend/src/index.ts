/**
 * Backend plugin that schedules OpenBao Raft snapshots on Kubernetes and streams them to S3.
 *
 * @packageDocumentation
 */
export { openBaoBackupPlugin as default } from './plugin';
