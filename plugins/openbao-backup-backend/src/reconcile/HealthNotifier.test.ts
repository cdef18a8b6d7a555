import { TestDatabases, mockServices } from '@backstage/backend-test-utils';
import { HealthNotifier } from './HealthNotifier';

const ref = { kubernetesCluster: 'prod', namespace: 'vault', name: 'bao' };

describe('HealthNotifier', () => {
  const databases = TestDatabases.create({ ids: ['SQLITE_3'] });

  async function setup(owners: string[] = ['group:default/platform']) {
    const knex = await databases.init('SQLITE_3');
    const database = { getClient: async () => knex } as any;
    const notifications = { send: jest.fn().mockResolvedValue(undefined) };
    const lookup = jest.fn().mockResolvedValue({
      owners,
      entityRefs: ['component:default/secrets'],
    });
    const create = () =>
      HealthNotifier.create({
        database,
        notifications,
        owners: lookup,
        logger: mockServices.logger.mock(),
      });
    return { notifier: await create(), create, notifications };
  }

  it('notifies owners once when a cluster turns failing, and once when it recovers', async () => {
    const { notifier, create, notifications } = await setup();
    await notifier.observe(ref, 'ok', 'fine');
    await notifier.observe(ref, 'failing', '2 consecutive failed runs');
    await notifier.observe(ref, 'failing', '3 consecutive failed runs');
    // A restarted backend (or another replica) reads the stored state: no repeat.
    const restarted = await create();
    await restarted.observe(ref, 'failing', '4 consecutive failed runs');
    expect(notifications.send).toHaveBeenCalledTimes(1);
    expect(notifications.send).toHaveBeenLastCalledWith({
      recipients: { type: 'entity', entityRef: ['group:default/platform'] },
      payload: expect.objectContaining({
        title: 'OpenBao backups of prod/vault/bao are failing',
        description: '2 consecutive failed runs',
        severity: 'high',
        link: '/catalog/default/component/secrets/backups',
      }),
    });
    await restarted.observe(ref, 'ok', 'fine');
    expect(notifications.send).toHaveBeenCalledTimes(2);
    expect(notifications.send.mock.calls[1][0].payload.title).toBe(
      'OpenBao backups of prod/vault/bao recovered',
    );
  });

  it('only logs when nobody owns the cluster', async () => {
    const { notifier, notifications } = await setup([]);
    expect(await notifier.observe(ref, 'stale', 'last success 3h ago')).toBe(
      'degraded',
    );
    expect(notifications.send).not.toHaveBeenCalled();
  });

  it('keeps working when sending fails (notifications plugin missing)', async () => {
    const { notifier, notifications } = await setup();
    notifications.send.mockRejectedValue(
      new Error('404 notifications not installed'),
    );
    await expect(notifier.observe(ref, 'failing', 'x')).resolves.toBe(
      'degraded',
    );
  });
});
