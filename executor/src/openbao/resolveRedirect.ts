/**
 * Decides whether a 307 from an OpenBao pod may be followed: only to a pod listed in
 * OPENBAO_ADDRESSES (same scheme, host and port), and never from https to http, so a
 * token is never sent to a host we were not told about or over plain text.
 */
export function resolveRedirect(
  currentUrl: string,
  location: string | undefined,
  allowedOrigins: string[],
): { ok: true; url: string } | { ok: false; reason: string } {
  if (!location)
    return { ok: false, reason: 'redirect without a Location header' };
  let target: URL;
  try {
    target = new URL(location, currentUrl);
  } catch {
    return { ok: false, reason: `redirect to an invalid URL "${location}"` };
  }
  const current = new URL(currentUrl);
  if (current.protocol === 'https:' && target.protocol !== 'https:') {
    return {
      ok: false,
      reason: `redirect from https to ${target.protocol.replace(
        ':',
        '',
      )} refused (${target.origin})`,
    };
  }
  const allowed = new Set(allowedOrigins.map(a => new URL(a).origin));
  if (!allowed.has(target.origin)) {
    return {
      ok: false,
      reason: `redirect to ${target.origin}, which is not in OPENBAO_ADDRESSES, refused`,
    };
  }
  return { ok: true, url: target.toString() };
}
