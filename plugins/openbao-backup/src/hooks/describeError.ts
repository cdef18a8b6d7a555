import { ResponseError } from '@backstage/errors';

/** The server's own message for a `ResponseError` (e.g. the 409 pre-flight reason), else the message. */
export function describeError(error: unknown): string {
  if (ResponseError.is(error)) {
    const cause = error.cause?.message;
    return cause && cause !== error.message
      ? `${cause} (${error.statusCode})`
      : error.message;
  }
  return error instanceof Error ? error.message : String(error);
}
