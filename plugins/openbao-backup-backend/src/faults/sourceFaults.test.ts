import { OpenBaoFaults } from '@internal/openbao-backup-sandbox';
import {
  FaultHarness,
  describeEnd,
  failedRunChecks,
  faultRow,
  judge,
  startFaultHarness,
  succeededRunChecks,
} from '../__testUtils__/faultHarness';

const MiB = 1024 * 1024;
jest.setTimeout(60_000);

/*
 * Source faults (the OpenBao double misbehaves) through the whole chain: the Job's executor must
 * abort the upload and report the stage, the reconciler must record it. The object is ≈ 8 MiB, so
 * a fault after 6 MiB hits while a multipart upload with one stored part is open.
 */
describe('source faults end to end', () => {
  let h: FaultHarness;
  const row = faultRow('source');

  beforeAll(async () => {
    h = await startFaultHarness({
      namespace: 'fault-source',
      sandbox: {
        bao: { snapshot: { stateSize: 16 * MiB, compressionLevel: 1 } },
        executorEnv: { OPENBAO_IDLE_TIMEOUT_SECONDS: '1' },
      },
    });
  }, 60_000);
  afterAll(() => h?.stop());

  it.each<[string, (addresses: string[]) => OpenBaoFaults, RegExp, string]>([
    [
      'connection reset mid-stream',
      () => ({ truncateAfterBytes: 6 * MiB }),
      /^SnapshotSourceFailed: .*stage stream: .*broke after/,
      'exit 4, stage stream',
    ],
    [
      'body ends early (truncated gzip)',
      () => ({ truncateAfterBytes: 6 * MiB, truncateMode: 'end' }),
      /^VerificationFailed: .*stage verify: .*not valid gzip/,
      'exit 6, stage verify',
    ],
    [
      'stream stalls beyond the idle timeout (1 s)',
      () => ({ stallAfterBytes: 6 * MiB }),
      /^SnapshotSourceFailed: .*stage stream: .*no data from/,
      'exit 4, stage stream',
    ],
    [
      'checksum mismatch in SHA256SUMS',
      () => ({ wrongChecksum: true }),
      /^VerificationFailed: .*stage verify: .*state\.bin checksum mismatch/,
      'exit 6, stage verify',
    ],
    [
      'leader change mid-stream',
      () => ({ leaderChangeAfterBytes: 6 * MiB }),
      /^SnapshotSourceFailed: .*stage stream: .*broke after/,
      'exit 4, stage stream',
    ],
    [
      '503 no leader',
      () => ({ noLeader: true }),
      /^LeaderNotFound: .*stage leader/,
      'exit 3, stage leader',
    ],
    [
      'redirect to a foreign host',
      () => ({ redirectTo: 'https://evil.example:8200' }),
      /^LeaderNotFound: .*stage leader: .*evil\.example.*not in OPENBAO_ADDRESSES/,
      'exit 3, stage leader',
    ],
    [
      'https→http redirect (a downgrade to a listed host)',
      addresses => ({ redirectTo: addresses[2].replace('https:', 'http:') }),
      /^LeaderNotFound: .*stage leader: .*http:\/\/127\.0\.0\.1/,
      'exit 3, stage leader',
    ],
  ])('%s', async (name, faults, reason, exit) => {
    const before = await h.endState();
    h.bao.setFaults(faults(h.bao.addresses));
    try {
      await h.runToEnd(`source-${before.jobs.length}`);
    } finally {
      h.bao.setFaults({});
    }
    const after = await h.endState();
    judge(
      row(
        name,
        `OpenBao double: ${JSON.stringify(faults(h.bao.addresses))}`,
        `${exit}; upload aborted; reason names the stage; failures+1; next slot kept`,
      ),
      failedRunChecks(before, after, reason),
      describeEnd(after),
    );
  });

  it('the next run after the source faults succeeds and resets consecutiveFailures', async () => {
    const before = await h.endState();
    await h.runToEnd('source-recovered');
    const after = await h.endState();
    judge(
      row(
        'recovery after 8 source faults',
        'none (faults cleared)',
        'object at the key; failures reset to 0; next slot kept',
      ),
      succeededRunChecks(before, after),
      describeEnd(after),
    );
  });
});
