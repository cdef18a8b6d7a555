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
      'a negative maxCount (would delete all but the newest)',
      { spec: { backup: { retention: { maxCount: -1 } } } },
      {
        applies: false,
        reason: 'retention.maxCount -1 is not an integer ≥ 1',
      },
    ],
    [
      'a maxCount that is not a number',
      { spec: { backup: { retention: { maxCount: 'NaN' } } } },
      {
        applies: false,
        reason: 'retention.maxCount "NaN" is not an integer ≥ 1',
      },
    ],
    [
      'a maxAge that is not a duration',
      { spec: { backup: { retention: { maxCount: null, maxAge: '-1d' } } } },
      {
        applies: false,
        reason: 'retention.maxAge "-1d" is not a positive duration',
      },
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
