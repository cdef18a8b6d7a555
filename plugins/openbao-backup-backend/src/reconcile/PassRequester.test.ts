import { mockServices } from '@backstage/backend-test-utils';
import { ConflictError } from '@backstage/errors';
import { PassRequester } from './PassRequester';

describe('PassRequester', () => {
  const wait = (ms: number) => new Promise(r => setTimeout(r, ms));

  it('asks again while a pass is running, until one starts', async () => {
    const calls: string[] = [];
    let busy = 2;
    const requester = PassRequester.create({
      scheduler: {
        triggerTask: async () => {
          if (busy-- > 0) {
            calls.push('conflict');
            throw new ConflictError('Task is currently running');
          }
          calls.push('started');
        },
      },
      taskId: 't',
      logger: mockServices.logger.mock(),
      retryMs: 5,
    });
    requester.request();
    requester.request(); // collapses into the pending one
    for (let i = 0; i < 100 && calls.length < 3; i++) await wait(20);
    await wait(50); // and nothing more follows
    expect(calls).toEqual(['conflict', 'conflict', 'started']);
    requester.stop();
  });

  it('triggers once more when asked while a trigger was in flight (it may have read the old state)', async () => {
    let calls = 0;
    let release = () => {};
    const requester = PassRequester.create({
      scheduler: {
        triggerTask: () => {
          calls++;
          // The first trigger lasts (the mock scheduler resolves when the pass ends).
          return calls === 1
            ? new Promise<void>(r => {
                release = r;
              })
            : Promise.resolve();
        },
      },
      taskId: 't',
      logger: mockServices.logger.mock(),
      retryMs: 5,
    });
    requester.request();
    requester.request();
    requester.request();
    expect(calls).toBe(1);
    release();
    for (let i = 0; i < 100 && calls < 2; i++) await wait(20);
    await wait(50);
    expect(calls).toBe(2);
    requester.stop();
  });

  it('gives up on other errors with a warning, and stops retrying once stopped', async () => {
    const logger = mockServices.logger.mock();
    let calls = 0;
    const failing = PassRequester.create({
      scheduler: {
        triggerTask: async () => {
          calls++;
          throw new Error('database gone');
        },
      },
      taskId: 't',
      logger,
      retryMs: 5,
    });
    failing.request();
    await wait(30);
    expect(calls).toBe(1);
    expect(logger.warn).toHaveBeenCalledWith('cannot start a reconcile pass', {
      error: 'database gone',
    });

    calls = 0;
    const busy = PassRequester.create({
      scheduler: {
        triggerTask: async () => {
          calls++;
          throw new ConflictError('running');
        },
      },
      taskId: 't',
      logger,
      retryMs: 5,
    });
    busy.request();
    await wait(1);
    busy.stop();
    await wait(30);
    expect(calls).toBe(1);
  });
});
