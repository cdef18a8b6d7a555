import { healthTransition } from './healthTransition';

describe('healthTransition', () => {
  it.each([
    [undefined, 'ok', undefined],
    [undefined, 'failing', 'degraded'],
    ['ok', 'failing', 'degraded'],
    ['ok', 'stale', 'degraded'],
    ['failing', 'stale', 'degraded'],
    ['failing', 'failing', undefined],
    ['stale', 'stale', undefined],
    ['failing', 'ok', 'recovered'],
    ['stale', 'ok', 'recovered'],
    ['never', 'ok', undefined],
    ['failing', 'suspended', undefined],
    ['failing', 'unknown', undefined],
    ['unknown', 'ok', undefined],
  ] as const)('%s → %s = %s', (previous, current, expected) => {
    expect(healthTransition(previous, current)).toBe(expected);
  });
});
