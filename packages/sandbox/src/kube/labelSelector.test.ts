import {
  matchesLabels,
  parseLabelSelector,
  SelectorParseError,
} from './labelSelector';

describe('parseLabelSelector', () => {
  it.each([
    ['', []],
    ['a=b', [{ key: 'a', op: '=', value: 'b' }]],
    ['a==b', [{ key: 'a', op: '=', value: 'b' }]],
    ['a != b', [{ key: 'a', op: '!=', value: 'b' }]],
    [
      'app.kubernetes.io/name=x,tier',
      [
        { key: 'app.kubernetes.io/name', op: '=', value: 'x' },
        { key: 'tier', op: 'exists' },
      ],
    ],
    ['!tier', [{ key: 'tier', op: '!exists' }]],
    [
      'env in (a, b),x notin (c)',
      [
        { key: 'env', op: 'in', values: ['a', 'b'] },
        { key: 'x', op: 'notin', values: ['c'] },
      ],
    ],
    ['a=', [{ key: 'a', op: '=', value: '' }]],
  ])('parses %j', (selector, expected) => {
    expect(parseLabelSelector(selector)).toEqual(expected);
  });

  it.each(['a=b=c', 'in (a)', 'a in a,b', '-bad=x', 'a=-x'])(
    'rejects %j',
    selector => {
      expect(() => parseLabelSelector(selector)).toThrow(SelectorParseError);
    },
  );
});

describe('matchesLabels', () => {
  const labels = { app: 'bao', tier: 'db' };
  it.each([
    ['app=bao', labels, true],
    ['app=other', labels, false],
    ['app!=other', labels, true],
    ['missing!=x', labels, true], // != matches objects without the label
    ['tier', labels, true],
    ['tier', {}, false],
    ['!tier', labels, false],
    ['!tier', undefined, true],
    ['app in (x,bao)', labels, true],
    ['app in (x)', labels, false],
    ['missing in (x)', labels, false],
    ['app notin (x)', labels, true],
    ['missing notin (x)', labels, true],
    ['app=bao,tier=web', labels, false],
    ['', undefined, true],
  ])('%j on %j → %s', (selector, l, expected) => {
    expect(matchesLabels(parseLabelSelector(selector), l)).toBe(expected);
  });
});
