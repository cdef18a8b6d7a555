export * from './OpenBaoBackupApi';
export * from './OpenBaoBackupClient';
