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

describe('readOpenBaoBackupConfig: Kubernetes API deadlines', () => {
  it('defaults to 30 s per request and 2 minutes per API server and pass', () => {
    expect(read({})).toMatchObject({
      requestTimeoutMs: 30_000,
      passTimeoutMs: 120_000,
    });
  });

  it('reads both as durations', () => {
    expect(
      read({ kubernetes: { requestTimeout: '5s', passTimeout: 'PT1M' } }),
    ).toMatchObject({ requestTimeoutMs: 5_000, passTimeoutMs: 60_000 });
  });

  it('refuses a request timeout of zero, naming the key', () => {
    expect(() =>
      read({ kubernetes: { requestTimeout: { seconds: 0 } } }),
    ).toThrow('openbaoBackup.kubernetes.requestTimeout must be positive');
  });
});

describe('readOpenBaoBackupConfig: job.stateChecksumMetadata', () => {
  it('defaults to skip', () => {
    expect(read({}).job.stateChecksumMetadata).toBe('skip');
  });

  it('reads copy', () => {
    expect(
      read({ job: { stateChecksumMetadata: 'copy' } }).job
        .stateChecksumMetadata,
    ).toBe('copy');
  });

  it('refuses any other value, naming the key and the choices', () => {
    expect(() => read({ job: { stateChecksumMetadata: 'tags' } })).toThrow(
      'openbaoBackup.job.stateChecksumMetadata must be one of skip, copy, got "tags"',
    );
  });
});
