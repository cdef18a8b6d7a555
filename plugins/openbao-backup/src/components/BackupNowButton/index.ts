export { BackupNowButton } from './BackupNowButton';
export type { BackupNowButtonProps } from './BackupNowButton';
