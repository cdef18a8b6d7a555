import { ConfigReader } from '@backstage/config';
import { readOpenBaoBackupConfig } from './config';

const read = (openbaoBackup: object) =>
  readOpenBaoBackupConfig(new ConfigReader({ openbaoBackup }));

describe('readOpenBaoBackupConfig: pass intervals', () => {
  it('defaults to a full pass every 15 s and a light pass every second', () => {
    expect(read({})).toMatchObject({
      reconcileIntervalMs: 15_000,
      lightPassIntervalMs: 1_000,
    });
  });

  it('reads both as durations', () => {
    expect(
      read({ reconcileInterval: '1m', lightPassInterval: 'PT0.5S' }),
    ).toMatchObject({ reconcileIntervalMs: 60_000, lightPassIntervalMs: 500 });
  });

  it('refuses a light pass interval of zero', () => {
    expect(() => read({ lightPassInterval: { seconds: 0 } })).toThrow(
      'openbaoBackup.lightPassInterval must be positive',
    );
  });
});
