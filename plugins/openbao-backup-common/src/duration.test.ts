import { formatDuration, parseDuration, tryParseDuration } from './duration';

const S = 1000;
const M = 60 * S;
const H = 60 * M;
const D = 24 * H;

describe('parseDuration', () => {
  it.each([
    ['72h', 72 * H],
    ['30d', 30 * D],
    ['1h30m', H + 30 * M],
    ['90s', 90 * S],
    ['1.5h', 1.5 * H],
    ['2w', 14 * D],
    ['250ms', 250],
    ['1d12h', D + 12 * H],
    ['0s', 0],
    [' 10m ', 10 * M],
  ])('%j → %d ms', (text, ms) => {
    expect(parseDuration(text)).toBe(ms);
  });

  it.each([
    ['', /empty/],
    ['   ', /empty/],
    ['-1h', /unexpected "-1h"/],
    ['72', /unexpected "72"/],
    ['h', /unexpected "h"/],
    ['1y', /unexpected "1y"/],
    ['1h 30m', /unexpected " 30m"/],
    ['1H', /unexpected "1H"/],
    ['abc', /not a duration/],
    ['1e400d', /unexpected/],
  ])('rejects %j', (text, message) => {
    expect(() => parseDuration(text)).toThrow(message);
    expect(tryParseDuration(text).ok).toBe(false);
  });

  it('rejects a non-string without throwing in the try variant', () => {
    expect(tryParseDuration(undefined as unknown as string)).toEqual({
      ok: false,
      error: expect.stringMatching(/empty/),
    });
  });

  it('rejects infinite totals', () => {
    expect(tryParseDuration(`${'9'.repeat(400)}w`)).toEqual({
      ok: false,
      error: expect.stringMatching(/too long/),
    });
  });
});

describe('formatDuration', () => {
  it.each([
    [0, '0s'],
    [45 * S, '45s'],
    [90 * M, '1h30m'],
    [D + 2 * H, '1d2h'],
    [-5 * M, '-5m'],
    [Infinity, 'Infinity'],
  ])('%d → %s', (ms, text) => {
    expect(formatDuration(ms)).toBe(text);
  });
});
