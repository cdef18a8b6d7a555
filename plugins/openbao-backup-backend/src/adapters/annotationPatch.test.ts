import { jsonPointerToken, removeAnnotationIfEquals } from './annotationPatch';

describe('removeAnnotationIfEquals', () => {
  it('tests the value before removing it, with `/` in the key escaped', () => {
    expect(
      removeAnnotationIfEquals('openbao.org/trigger-backup', 'abc'),
    ).toEqual([
      {
        op: 'test',
        path: '/metadata/annotations/openbao.org~1trigger-backup',
        value: 'abc',
      },
      {
        op: 'remove',
        path: '/metadata/annotations/openbao.org~1trigger-backup',
      },
    ]);
  });

  it('escapes `~` before `/` (RFC 6901)', () => {
    expect(jsonPointerToken('a~/b')).toBe('a~0~1b');
    expect(jsonPointerToken('plain')).toBe('plain');
  });
});
