import { mockServices, startTestBackend } from '@backstage/backend-test-utils';
import request from 'supertest';
import { openBaoBackupPlugin } from './plugin';

describe('openBaoBackupPlugin', () => {
  it('answers GET /health without credentials', async () => {
    const { server } = await startTestBackend({
      features: [
        openBaoBackupPlugin,
        mockServices.rootConfig.factory({ data: {} }),
      ],
    });
    const res = await request(server).get('/api/openbao-backup/health');
    expect(res.status).toBe(200);
    expect(res.body).toEqual({ status: 'ok' });
  });
});
