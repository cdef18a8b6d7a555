import {
  HttpLibrary,
  IsomorphicFetchHttpLibrary,
  RequestContext,
  ResponseContext,
  wrapHttpLibrary,
} from '@kubernetes/client-node';

/** Where the requests go and how long one may take, for the error that names both. */
export interface RequestTimeout {
  /** The configured cluster name. */
  name: string;
  /** The API server URL. */
  server: string;
  timeoutMs: number;
  /** Called with the headers of every response (the gateway reads the server's `Date`). */
  onResponse?: (headers: Record<string, string>) => void;
}

/** A request to an API server that got no (whole) answer within the request timeout. */
export class KubeApiTimeoutError extends Error {
  constructor(t: RequestTimeout) {
    super(
      `Kubernetes API server ${t.name} (${t.server}) did not answer within ${
        t.timeoutMs / 1000
      } s (openbaoBackup.kubernetes.requestTimeout)`,
    );
    this.name = 'KubeApiTimeoutError';
  }
}

/**
 * client-node's own fetch library with a deadline on every request: connect, TLS, headers and body
 * (client-node 1.x sets none, so a server that accepts connections and never answers would hold
 * the caller for ever). Installed as the `httpApi` of the API clients' configuration; watches do
 * not go through it.
 */
export function timedHttpLibrary(
  t: RequestTimeout,
  inner: HttpLibrary = new IsomorphicFetchHttpLibrary(),
): HttpLibrary {
  return wrapHttpLibrary({
    async send(request: RequestContext): Promise<ResponseContext> {
      const timeout = AbortSignal.timeout(t.timeoutMs);
      const own = request.getSignal();
      request.setSignal(own ? AbortSignal.any([own, timeout]) : timeout);
      const explain = (e: unknown): never => {
        throw timeout.aborted ? new KubeApiTimeoutError(t) : e;
      };
      const response = await inner.send(request).toPromise().catch(explain);
      t.onResponse?.(response.headers);
      // The body is read later, by the API client: the same deadline covers it.
      const { body } = response;
      response.body = {
        text: () => body.text().catch(explain),
        binary: () => body.binary().catch(explain),
      };
      return response;
    },
  });
}
