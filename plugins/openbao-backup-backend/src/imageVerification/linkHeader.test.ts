import { nextLinkTarget, nextPageUrl } from './linkHeader';

describe('nextLinkTarget', () => {
  it.each([
    [null, undefined],
    ['', undefined],
    ['</v2/a/referrers/x?last=b>; rel="next"', '/v2/a/referrers/x?last=b'],
    ['<https://r.example/v2/a?n=1>;rel=next', 'https://r.example/v2/a?n=1'],
    ['<https://r.example/p1>; REL="Next"', 'https://r.example/p1'],
    [
      '</first>; rel="first", </v2/a?x=1,2;3>; rel="prev next"',
      '/v2/a?x=1,2;3',
    ],
    ['</v2/a?n=1>; rel="prev"', undefined],
    ['</v2/a?n=1>; title="next"', undefined],
    ['not a link', undefined],
  ])('%j → %j', (header, target) => {
    expect(nextLinkTarget(header)).toBe(target);
  });
});

describe('nextPageUrl', () => {
  const base = 'https://registry.example:5000';
  const page = `${base}/v2/acme/x/referrers/sha256:ab?last=c`;

  it('resolves a relative link against the page, an absolute one as is', () => {
    expect(
      nextPageUrl(
        '</v2/acme/x/referrers/sha256:ab?last=d>; rel="next"',
        page,
        base,
        'w',
      ),
    ).toBe(`${base}/v2/acme/x/referrers/sha256:ab?last=d`);
    expect(nextPageUrl('<?last=e>; rel="next"', page, base, 'w')).toBe(
      `${base}/v2/acme/x/referrers/sha256:ab?last=e`,
    );
    expect(
      nextPageUrl(
        `<${base}/v2/acme/x/referrers/sha256:ab?last=f>; rel="next"`,
        page,
        base,
        'w',
      ),
    ).toBe(`${base}/v2/acme/x/referrers/sha256:ab?last=f`);
  });

  it('is undefined on the last page', () => {
    expect(nextPageUrl(null, page, base, 'w')).toBeUndefined();
    expect(nextPageUrl('</p0>; rel="prev"', page, base, 'w')).toBeUndefined();
  });

  it.each([
    ['another host', 'https://evil.example/v2/acme/x', 'https://evil.example'],
    [
      'another port',
      'https://registry.example:5001/v2/x',
      'https://registry.example:5001',
    ],
    [
      'another scheme',
      'http://registry.example:5000/v2/x',
      'http://registry.example:5000',
    ],
    ['a protocol-relative host', '//evil.example/v2/x', 'https://evil.example'],
  ])('refuses a link to %s, naming both origins', (_, target, origin) => {
    expect(() =>
      nextPageUrl(`<${target}>; rel="next"`, page, base, 'referrers of d'),
    ).toThrow(
      `referrers of d: the registry's next-page Link points to ${origin}, not ${base}; refusing to follow a Link to another host`,
    );
  });

  it('refuses a link that is not a URL', () => {
    expect(() =>
      nextPageUrl('<http://[>; rel="next"', page, base, 'w'),
    ).toThrow('w: the next-page Link "http://[" is not a URL');
  });
});
