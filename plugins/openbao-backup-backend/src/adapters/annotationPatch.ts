/** One RFC 6902 operation, as the apiserver takes it with `application/json-patch+json`. */
export type JsonPatchOp =
  | { op: 'test'; path: string; value: unknown }
  | { op: 'remove'; path: string };

/** RFC 6901: `~` and `/` inside a key are written `~0` and `~1`. */
export function jsonPointerToken(key: string): string {
  return key.replace(/~/g, '~0').replace(/\//g, '~1');
}

/**
 * A JSON patch removing annotation `key` only while it still holds `value`: the `test` fails (the
 * apiserver answers 422) when someone set a newer value, or removed it, since it was read.
 */
export function removeAnnotationIfEquals(
  key: string,
  value: string,
): JsonPatchOp[] {
  const path = `/metadata/annotations/${jsonPointerToken(key)}`;
  return [
    { op: 'test', path, value },
    { op: 'remove', path },
  ];
}
