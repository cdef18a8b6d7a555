import { matchesFields, parseFieldSelector } from './fieldSelector';
import { SelectorParseError } from './labelSelector';

const pod = {
  metadata: { name: 'p', namespace: 'ns' },
  status: { phase: 'Running' },
};
const podType = { extraFields: ['status.phase', 'spec.nodeName'] };

describe('field selectors', () => {
  it.each([
    ['metadata.name=p', true],
    ['metadata.name==p', true],
    ['metadata.name!=p', false],
    ['metadata.namespace=ns,metadata.name=p', true],
    ['metadata.namespace=other', false],
    ['status.phase=Running', true],
    ['spec.nodeName=', true], // a missing field compares as ''
    ['spec.nodeName!=', false],
  ])('%j → %s', (selector, expected) => {
    expect(matchesFields(parseFieldSelector(selector, podType), pod)).toBe(
      expected,
    );
  });

  it('rejects fields the type does not index, like the apiserver', () => {
    expect(() => parseFieldSelector('status.phase=Running', {})).toThrow(
      new SelectorParseError('field label not supported: status.phase'),
    );
    expect(() => parseFieldSelector('nonsense', podType)).toThrow(
      SelectorParseError,
    );
  });
});
