import { makeObserved } from './__fixtures__/builders';
import { decideRun } from './decideRun';
import { clusterHealth } from '@internal/plugin-openbao-backup-common';

it('bench', () => {
  const observed = makeObserved({ status: { backup: { nextScheduledBackup: '2026-11-26T02:00:00Z' } } } as any);
  const now = new Date('2026-11-25T09:00:00Z');
  let t = Date.now();
  for (let i = 0; i < 1000; i++) decideRun(observed, now);
  const a = Date.now() - t;
  const ams = makeObserved({ spec: { backup: { schedule: '*/5 * * * *', timeZone: 'Europe/Amsterdam' } }, status: { backup: { nextScheduledBackup: '2026-11-25T09:05:00Z' } } } as any);
  t = Date.now();
  for (let i = 0; i < 1000; i++) decideRun(ams, now);
  const b = Date.now() - t;
  t = Date.now();
  for (let i = 0; i < 1000; i++) clusterHealth({ backup: { lastBackupTime: '2026-11-25T02:00:00Z' } }, { schedule: '*/5 * * * *', timeZone: 'Europe/Amsterdam' }, now);
  const c = Date.now() - t;
  const dst = new Date('2026-10-25T02:30:00Z');
  t = Date.now();
  for (let i = 0; i < 1000; i++) clusterHealth({ backup: { lastBackupTime: '2026-10-25T02:00:00Z' } }, { schedule: '* * * * *', timeZone: 'Europe/Amsterdam' }, dst);
  const d = Date.now() - t;
  console.log({ waitDaily: a, waitFiveMinAms: b, health: c, healthMinuteAfterDst: d });
});
