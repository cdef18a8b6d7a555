import { makeCluster } from './__fixtures__/builders';
import { retentionApplies } from './retentionApplies';

describe('retentionApplies', () => {
  it.each([
    ['static credentials with a policy', {}, { applies: true }],
    [
      'only maxAge',
      { spec: { backup: { retention: { maxCount: null } } } },
      { applies: true },
    ],
    [
      'web identity',
      {
        spec: {
          backup: {
            target: {
              credentialsSecretRef: null,
              roleArn: 'arn:aws:iam::1:role/x',
            },
          },
        },
      },
      { applies: false, reason: 'bucket lifecycle owns retention' },
    ],
    [
      'no policy',
      { spec: { backup: { retention: null } } },
      { applies: false, reason: expect.stringMatching(/^no retention policy/) },
    ],
    [
      'empty policy',
      { spec: { backup: { retention: { maxCount: null, maxAge: null } } } },
      { applies: false, reason: expect.stringMatching(/^no retention policy/) },
    ],
    [
      'no backup',
      { spec: { backup: null } },
      { applies: false, reason: 'backup not configured' },
    ],
  ])('%s', (_, patch, expected) => {
    expect(retentionApplies(makeCluster(patch as any))).toEqual(expected);
  });
});
