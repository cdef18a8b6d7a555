import { reconcileJob } from './reconcileJob';
import { KubeObject } from './types';

const NOW = new Date('2026-01-01T00:10:00Z');
const job = (
  spec: object = {},
  status?: object,
  meta: object = {},
): KubeObject => ({
  metadata: { name: 'j', namespace: 'ns', uid: 'u', ...meta },
  spec: { backoffLimit: 0, completions: 1, parallelism: 1, ...spec },
  status,
});
const pod = (name: string, phase: string, extra: object = {}): KubeObject => ({
  metadata: { name, ...extra },
  status: { phase, containerStatuses: [{ ready: phase === 'Running' }] },
});
const cond = (type: string, reason: string, at = '2026-01-01T00:05:00Z') => ({
  type,
  status: 'True',
  reason,
  message: expect.any(String),
  lastProbeTime: at,
  lastTransitionTime: at,
});
const types = (d: ReturnType<typeof reconcileJob>) =>
  (d.status?.conditions ?? []).map((x: any) => `${x.type}:${x.reason}`);

describe('reconcileJob', () => {
  it('creates the first Pod, sets startTime and active, and requeues at the deadline', () => {
    const d = reconcileJob(job({ activeDeadlineSeconds: 60 }), [], NOW);
    expect(d.createPods).toBe(1);
    expect(d.status).toEqual({
      startTime: '2026-01-01T00:10:00Z',
      active: 1,
      ready: 0,
      terminating: 0,
      uncountedTerminatedPods: {},
    });
    expect(d.requeueAt).toEqual(new Date('2026-01-01T00:11:00Z'));
  });

  it('waits while the Pod runs', () => {
    const j = job(
      {},
      {
        startTime: '2026-01-01T00:00:00Z',
        active: 1,
        ready: 1,
        terminating: 0,
        uncountedTerminatedPods: {},
      },
    );
    const d = reconcileJob(j, [pod('p', 'Running')], NOW);
    expect(d).toEqual({ createPods: 0, deletePods: [], deleteJob: false });
  });

  it('completes when the Pod succeeded', () => {
    const d = reconcileJob(
      job({}, { startTime: '2026-01-01T00:00:00Z' }),
      [pod('p', 'Succeeded')],
      NOW,
    );
    expect(types(d)).toEqual([
      'SuccessCriteriaMet:CompletionsReached',
      'Complete:CompletionsReached',
    ]);
    expect(d.status).toMatchObject({
      succeeded: 1,
      completionTime: '2026-01-01T00:10:00Z',
    });
    expect(d.status.active).toBeUndefined();
  });

  it('fails with BackoffLimitExceeded once failures exceed backoffLimit', () => {
    const d = reconcileJob(job(), [pod('p', 'Failed')], NOW);
    expect(types(d)).toEqual([
      'FailureTarget:BackoffLimitExceeded',
      'Failed:BackoffLimitExceeded',
    ]);
    expect(d.status.failed).toBe(1);
    expect(d.status.completionTime).toBeUndefined();
  });

  it('retries while failures are within backoffLimit', () => {
    const d = reconcileJob(job({ backoffLimit: 2 }), [pod('p', 'Failed')], NOW);
    expect(d.createPods).toBe(1);
    expect(d.status.failed).toBe(1);
  });

  it('at the deadline marks FailureTarget and deletes the running Pod, Failed only once it is gone', () => {
    const j = job(
      { activeDeadlineSeconds: 60 },
      { startTime: '2026-01-01T00:09:00Z', active: 1 },
    );
    const first = reconcileJob(j, [pod('p', 'Running')], NOW);
    expect(first.deletePods).toEqual(['p']);
    expect(types(first)).toEqual(['FailureTarget:DeadlineExceeded']);
    expect(first.status).toMatchObject({ failed: 1, terminating: 1 });
    const j2 = { ...j, status: first.status };
    const terminating = reconcileJob(
      j2,
      [pod('p', 'Running', { deletionTimestamp: 'x' })],
      NOW,
    );
    expect(terminating.status).toBeUndefined();
    const gone = reconcileJob(j2, [], NOW);
    expect(types(gone)).toEqual([
      'FailureTarget:DeadlineExceeded',
      'Failed:DeadlineExceeded',
    ]);
  });

  it('deletes a finished Job after ttlSecondsAfterFinished, and requeues before that', () => {
    const done = { conditions: [cond('Complete', 'CompletionsReached')] };
    expect(
      reconcileJob(job({ ttlSecondsAfterFinished: 600 }, done), [], NOW)
        .requeueAt,
    ).toEqual(new Date('2026-01-01T00:15:00Z'));
    expect(
      reconcileJob(job({ ttlSecondsAfterFinished: 300 }, done), [], NOW)
        .deleteJob,
    ).toBe(true);
    expect(reconcileJob(job({}, done), [], NOW)).toEqual({
      createPods: 0,
      deletePods: [],
      deleteJob: false,
    });
  });

  it('leaves suspended and terminating Jobs alone', () => {
    expect(reconcileJob(job({ suspend: true }), [], NOW).createPods).toBe(0);
    expect(
      reconcileJob(job({}, undefined, { deletionTimestamp: 'x' }), [], NOW)
        .createPods,
    ).toBe(0);
  });
});
