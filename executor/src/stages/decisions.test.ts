import { classifyHealth } from './leader';
import { compareObject } from './verify';

describe('classifyHealth', () => {
  it.each([
    [200, 'active'],
    [429, 'standby'],
    [473, 'standby'],
    [503, 'sealed'],
    [501, 'sealed'],
    [500, 'error'],
  ])('%i → %s', (status, state) => expect(classifyHealth(status)).toBe(state));
});

describe('compareObject', () => {
  const metadata = { 'openbao-raft-index': '7' };
  it.each([
    [{ size: 5, metadata }, []],
    [{ size: 4, metadata }, ['object size is 4, uploaded 5 bytes']],
    [
      { size: 5, metadata: {} },
      ['metadata openbao-raft-index is undefined, expected "7"'],
    ],
  ])('%j', (actual, problems) =>
    expect(compareObject({ size: 5, metadata }, actual)).toEqual(problems),
  );
});
