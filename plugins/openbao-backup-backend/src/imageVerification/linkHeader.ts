import { RegistryError } from './RegistryClient';

/**
 * The target of the `rel="next"` link of an HTTP `Link` header (RFC 8288: `<uri-reference>; rel=…`,
 * several links comma separated, `rel` a space-separated list), as written; undefined without one.
 */
export function nextLinkTarget(header: string | null): string | undefined {
  if (!header) return undefined;
  // `<…>` first, so commas and semicolons inside a URI do not split it.
  const link = /<([^>]*)>((?:\s*;\s*[^;,<]*)*)/g;
  for (const [, target, params] of header.matchAll(link)) {
    const rel = /;\s*rel\s*=\s*(?:"([^"]*)"|([^;,\s]*))/i.exec(params);
    const relations = (rel?.[1] ?? rel?.[2] ?? '').toLowerCase().split(/\s+/);
    if (relations.includes('next')) return target.trim();
  }
  return undefined;
}

/**
 * The next page of a paginated registry listing: the `rel="next"` target of `linkHeader`, resolved
 * against the page it came with (a relative reference such as `/v2/…?last=…`, as registries send,
 * or an absolute URL). Undefined on the last page. A link to another origin than `registryBase`
 * (host, port or scheme) is refused: it would send the registry's token elsewhere.
 */
export function nextPageUrl(
  linkHeader: string | null,
  pageUrl: string,
  registryBase: string,
  what: string,
): string | undefined {
  const target = nextLinkTarget(linkHeader);
  if (target === undefined) return undefined;
  let next: URL;
  try {
    next = new URL(target, pageUrl);
  } catch {
    throw new RegistryError(
      'protocol',
      `${what}: the next-page Link "${target}" is not a URL`,
    );
  }
  const base = new URL(registryBase);
  if (next.origin !== base.origin) {
    throw new RegistryError(
      'protocol',
      `${what}: the registry's next-page Link points to ${next.origin}, not ${base.origin}; refusing to follow a Link to another host`,
    );
  }
  return next.toString();
}
