/**
 * Equality as JSON sees it: key order and keys holding `undefined` do not matter, prototypes are
 * ignored (node's isDeepStrictEqual compares them, which breaks across realms such as Jest's).
 */
export function jsonEqual(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (
    typeof a !== 'object' ||
    typeof b !== 'object' ||
    a === null ||
    b === null
  )
    return false;
  if (Array.isArray(a) !== Array.isArray(b)) return false;
  if (Array.isArray(a)) {
    const bb = b as unknown[];
    return a.length === bb.length && a.every((v, i) => jsonEqual(v, bb[i]));
  }
  const ao = a as Record<string, unknown>;
  const bo = b as Record<string, unknown>;
  const keys = (o: Record<string, unknown>) =>
    Object.keys(o).filter(k => o[k] !== undefined);
  const ak = keys(ao);
  const bk = keys(bo);
  return (
    ak.length === bk.length &&
    ak.every(
      k =>
        Object.prototype.hasOwnProperty.call(bo, k) && jsonEqual(ao[k], bo[k]),
    )
  );
}
