import {
  PRE_UPGRADE_BACKUP_ANNOTATION,
  TRIGGER_BACKUP_ANNOTATION,
} from '@internal/plugin-openbao-backup-common';
import { makeCluster } from './__fixtures__/builders';
import {
  clustersForLightPass,
  endedJobKey,
  jobHasEnded,
  lightPassMark,
  lightPassReasons,
  passKind,
} from './lightPass';

const now = new Date('2026-03-10T02:59:30Z');
const INTERVAL = 15_000;
/** Yesterday's slot of the daily 03:00 schedule below. */
const DUE = '2026-03-09T03:00:00Z';

describe('passKind', () => {
  it.each([
    ['no full pass recorded yet', undefined, 'full'],
    ['the last one a second ago', 1_000, 'light'],
    ['just under the interval', INTERVAL - 1, 'light'],
    ['exactly the interval', INTERVAL, 'full'],
    ['long ago', 10 * INTERVAL, 'full'],
    ['recorded slightly ahead (another replica, clock skew)', -2_000, 'light'],
    ['recorded an interval ahead (the clock jumped back)', -INTERVAL, 'full'],
  ])('%s → %s', (_, ago, kind) => {
    const nowMs = 1_000_000;
    expect(
      passKind(nowMs, ago === undefined ? undefined : nowMs - ago, INTERVAL),
    ).toBe(kind);
  });
});

/** The sample cluster, daily at 03:00 UTC, its next slot recorded, at resourceVersion 7. */
function cluster(
  patch: {
    backup?: Record<string, unknown>;
    status?: Record<string, unknown>;
    annotations?: Record<string, string>;
  } = {},
) {
  return makeCluster({
    metadata: { resourceVersion: '7', annotations: patch.annotations },
    spec: {
      backup: { schedule: '0 3 * * *', timeZone: null, ...patch.backup } as any,
    },
    status: {
      backup: {
        nextScheduledBackup: '2026-03-10T03:00:00Z',
        ...patch.status,
      } as any,
    },
  });
}

describe('lightPassReasons', () => {
  it.each([
    ['idle: next slot in the future', {}, []],
    [
      'a trigger no run has observed',
      { annotations: { [TRIGGER_BACKUP_ANNOTATION]: 'b1' } },
      ['trigger'],
    ],
    [
      'a trigger already observed (annotation not yet removed)',
      {
        annotations: { [TRIGGER_BACKUP_ANNOTATION]: 'b1' },
        status: { observedTrigger: 'b1' },
      },
      [],
    ],
    [
      'a pre-upgrade request',
      { annotations: { [PRE_UPGRADE_BACKUP_ANNOTATION]: 'up-1' } },
      ['trigger'],
    ],
    [
      'an edited schedule',
      { backup: { schedule: '30 4 * * *' } },
      ['schedule-changed'],
    ],
    [
      'no slot recorded yet (first sighting)',
      { status: { nextScheduledBackup: null } },
      ['schedule-changed'],
    ],
    [
      'the slot has come',
      { status: { nextScheduledBackup: DUE } },
      ['slot-due'],
    ],
    [
      'a due slot of an edited schedule is a schedule change, not a run',
      {
        backup: { schedule: '30 4 * * *' },
        status: { nextScheduledBackup: DUE },
      },
      ['schedule-changed'],
    ],
    [
      'suspended with a slot still recorded',
      { backup: { suspend: true } },
      ['schedule-changed'],
    ],
    [
      'suspended, nothing recorded',
      { backup: { suspend: true }, status: { nextScheduledBackup: null } },
      [],
    ],
    [
      'a trigger and a due slot',
      {
        annotations: { [TRIGGER_BACKUP_ANNOTATION]: 'b2' },
        status: { nextScheduledBackup: DUE },
      },
      ['trigger', 'slot-due'],
    ],
    [
      'an invalid schedule is left to the full pass (it reports it)',
      {
        backup: { schedule: '0 3 * *' },
        status: { nextScheduledBackup: null },
      },
      [],
    ],
  ])('%s → %j', (_, patch, reasons) => {
    expect(lightPassReasons(cluster(patch as any), now)).toEqual(reasons);
  });

  it('flags the slot from its very instant', () => {
    expect(
      lightPassReasons(cluster(), new Date('2026-03-10T03:00:00Z')),
    ).toEqual(['slot-due']);
  });

  it('ignores a cluster without spec.backup', () => {
    expect(
      lightPassReasons(makeCluster({ spec: { backup: null } }), now),
    ).toEqual([]);
  });
});

describe('lightPassMark', () => {
  const due = { status: { nextScheduledBackup: DUE } };

  it('is undefined when nothing is flagged', () => {
    expect(lightPassMark(cluster(), now)).toBeUndefined();
  });

  it('names the version and the reasons', () => {
    expect(lightPassMark(cluster(due), now)).toBe('7:slot-due');
  });

  it('changes when the cluster changes, or when a slot comes without a change', () => {
    const later = cluster(due);
    later.metadata.resourceVersion = '8';
    expect(lightPassMark(later, now)).toBe('8:slot-due');
    // Same version, flagged for a trigger first, then its slot comes: a new state.
    const triggered = cluster({
      annotations: { [TRIGGER_BACKUP_ANNOTATION]: 'b1' },
    });
    expect(lightPassMark(triggered, now)).toBe('7:trigger');
    expect(lightPassMark(triggered, new Date('2026-03-10T03:00:01Z'))).toBe(
      '7:trigger,slot-due',
    );
  });
});

describe('clustersForLightPass', () => {
  const entries: Array<[string, { cluster: ReturnType<typeof cluster> }]> = [
    ['k/vault/idle', { cluster: cluster() }],
    [
      'k/vault/due',
      {
        cluster: cluster({
          status: { nextScheduledBackup: DUE },
        }),
      },
    ],
    [
      'k/vault/triggered',
      {
        cluster: cluster({ annotations: { [TRIGGER_BACKUP_ANNOTATION]: 'x' } }),
      },
    ],
    [
      'k/vault/edited',
      { cluster: cluster({ backup: { schedule: '30 4 * * *' } }) },
    ],
  ];

  it('picks the flagged clusters, pending triggers first', () => {
    const picked = clustersForLightPass(entries, now, new Map());
    expect(picked.map(p => p.key)).toEqual([
      'k/vault/triggered',
      'k/vault/due',
      'k/vault/edited',
    ]);
    expect(picked[0]).toMatchObject({
      mark: '7:trigger',
      cluster: entries[2][1].cluster,
    });
  });

  it('skips a cluster already reconciled in that state, not in another', () => {
    const handled = new Map([
      ['k/vault/due', '7:slot-due'],
      ['k/vault/triggered', '6:trigger'],
    ]);
    expect(clustersForLightPass(entries, now, handled).map(p => p.key)).toEqual(
      ['k/vault/triggered', 'k/vault/edited'],
    );
  });

  it('picks nothing when nothing is flagged (an idle pass)', () => {
    expect(clustersForLightPass([entries[0]], now, new Map())).toEqual([]);
  });
});

describe('jobHasEnded', () => {
  const withCondition = (type: string, status = 'True') => ({
    metadata: { name: 'bao-backup-1' },
    status: { conditions: [{ type, status }] },
  });

  it.each([
    ['running (no condition)', 'MODIFIED', { status: { active: 1 } }, false],
    ['Complete', 'MODIFIED', withCondition('Complete'), true],
    ['Failed', 'MODIFIED', withCondition('Failed'), true],
    [
      'already Complete when the watch (re)starts',
      'ADDED',
      withCondition('Complete'),
      true,
    ],
    [
      'a condition that is not terminal',
      'MODIFIED',
      withCondition('Suspended'),
      false,
    ],
    [
      'a terminal condition not (yet) true',
      'MODIFIED',
      withCondition('Failed', 'False'),
      false,
    ],
    [
      'about to fail (FailureTarget): its pods still terminate',
      'MODIFIED',
      withCondition('FailureTarget'),
      false,
    ],
    ['deleted while running', 'DELETED', { status: { active: 1 } }, true],
  ] as const)('%s', (_, event, job, ended) => {
    expect(jobHasEnded(event, job)).toBe(ended);
  });
});

describe('job-ended', () => {
  const running = (activeJob?: string) => cluster({ status: { activeJob } });

  it('flags a cluster whose active Job has ended', () => {
    expect(
      lightPassReasons(running('bao-backup-1'), now, j => j === 'bao-backup-1'),
    ).toEqual(['job-ended']);
    expect(lightPassMark(running('bao-backup-1'), now, () => true)).toBe(
      '7:job-ended',
    );
  });

  it('ignores an ended Job that is not the active one, and a cluster with none', () => {
    expect(
      lightPassReasons(running('bao-backup-2'), now, j => j === 'bao-backup-1'),
    ).toEqual([]);
    expect(lightPassReasons(running(undefined), now, () => true)).toEqual([]);
  });

  it('comes after a pending trigger', () => {
    const both = cluster({
      annotations: { [TRIGGER_BACKUP_ANNOTATION]: 'b1' },
      status: { activeJob: 'bao-backup-1' },
    });
    expect(lightPassReasons(both, now, () => true)).toEqual([
      'trigger',
      'job-ended',
    ]);
  });

  it('picks the cluster whose ended Job the watch recorded beside it, in that API server only', () => {
    const entries: Array<[string, { cluster: ReturnType<typeof cluster> }]> = [
      ['k/vault/bao', { cluster: running('bao-backup-1') }],
      ['other/vault/bao', { cluster: running('bao-backup-1') }],
      ['k/vault/busy', { cluster: running('busy-backup-1') }],
    ];
    const ended = new Set([endedJobKey('k/vault/bao', 'bao-backup-1')]);
    expect(ended).toEqual(new Set(['k/vault/bao-backup-1']));
    expect(
      clustersForLightPass(entries, now, new Map(), ended).map(p => [
        p.key,
        p.mark,
      ]),
    ).toEqual([['k/vault/bao', '7:job-ended']]);
    // Recorded (activeJob cleared by the pass's write): nothing left to do.
    expect(
      clustersForLightPass(
        [['k/vault/bao', { cluster: running(undefined) }]],
        now,
        new Map(),
        ended,
      ),
    ).toEqual([]);
  });
});
