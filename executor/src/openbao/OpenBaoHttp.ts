import http from 'node:http';
import https from 'node:https';

export interface OpenBaoHttpOptions {
  /** PEM CA bundle for https pods; system roots when absent. */
  ca?: string;
  timeouts: { connectMs: number; headerMs: number; idleMs: number };
}

export interface OpenBaoRequest {
  method?: 'GET' | 'POST';
  headers?: Record<string, string>;
  body?: string;
  signal?: AbortSignal;
}

/** A network-level failure talking to a pod (refused, reset, timed out, TLS). */
export class OpenBaoNetworkError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'OpenBaoNetworkError';
  }
}

/**
 * node:http(s) for OpenBao with connect, header and idle timeouts but none on the whole
 * body (a multi-GiB snapshot takes as long as it takes). Redirects are NOT followed here.
 */
export class OpenBaoHttp {
  readonly #opts: OpenBaoHttpOptions;
  readonly #httpsAgent: https.Agent;
  readonly #httpAgent = new http.Agent({ keepAlive: false });

  constructor(opts: OpenBaoHttpOptions) {
    this.#opts = opts;
    this.#httpsAgent = new https.Agent({ keepAlive: false, ca: opts.ca });
  }

  /** Sends a request and resolves with the response once headers arrive. */
  request(
    url: string,
    req: OpenBaoRequest = {},
  ): Promise<http.IncomingMessage> {
    const { connectMs, headerMs, idleMs } = this.#opts.timeouts;
    const isHttps = url.startsWith('https:');
    return new Promise((resolve, reject) => {
      const r = (isHttps ? https : http).request(url, {
        method: req.method ?? 'GET',
        headers: {
          ...req.headers,
          ...(req.body ? { 'Content-Type': 'application/json' } : {}),
        },
        agent: isHttps ? this.#httpsAgent : this.#httpAgent,
        signal: req.signal,
      });
      const origin = new URL(url).origin;
      const failAfter = (ms: number, what: string) =>
        setTimeout(
          () =>
            r.destroy(
              new OpenBaoNetworkError(`${what} ${origin} within ${ms / 1000}s`),
            ),
          ms,
        );
      const headerTimer = failAfter(headerMs, 'no response headers from');
      r.on('socket', socket => {
        if (!socket.connecting) return;
        const t = failAfter(connectMs, 'could not connect to');
        socket.once(isHttps ? 'secureConnect' : 'connect', () =>
          clearTimeout(t),
        );
        socket.once('close', () => clearTimeout(t));
      });
      r.on('response', res => {
        clearTimeout(headerTimer);
        watchIdle(res, idleMs, () =>
          res.destroy(
            new OpenBaoNetworkError(
              `no data from ${origin} for ${idleMs / 1000}s`,
            ),
          ),
        );
        resolve(res);
      });
      r.on('error', e => {
        clearTimeout(headerTimer);
        reject(
          e instanceof OpenBaoNetworkError || (e as any).name === 'AbortError'
            ? e
            : new OpenBaoNetworkError(`${origin}: ${describeNetworkError(e)}`),
        );
      });
      r.end(req.body);
    });
  }

  /** A small JSON exchange; the body is read fully (limited to 1 MiB). */
  async json(
    url: string,
    req: OpenBaoRequest = {},
  ): Promise<{ status: number; body: any; headers: http.IncomingHttpHeaders }> {
    const res = await this.request(url, req);
    const chunks: Buffer[] = [];
    let size = 0;
    for await (const chunk of res) {
      size += chunk.length;
      if (size > 1024 * 1024) {
        res.destroy();
        throw new OpenBaoNetworkError(
          `response from ${new URL(url).origin} is larger than 1 MiB`,
        );
      }
      chunks.push(chunk);
    }
    const text = Buffer.concat(chunks).toString('utf8');
    let body: any = undefined;
    try {
      body = text ? JSON.parse(text) : undefined;
    } catch {
      body = undefined;
    }
    return { status: res.statusCode ?? 0, body, headers: res.headers };
  }

  close() {
    this.#httpsAgent.destroy();
    this.#httpAgent.destroy();
  }
}

/**
 * Idle, not total: a stalled body fails, a long healthy one does not. Time during which the
 * reader itself holds the body back (paused by backpressure from a slow S3, or data still
 * buffered) does not count; only "we want bytes and none arrive" does. Watches the socket's
 * byte counter instead of adding a 'data' listener, which would change the stream's mode.
 */
function watchIdle(
  res: http.IncomingMessage,
  idleMs: number,
  onIdle: () => void,
) {
  const socket = res.socket;
  let lastBytes = socket.bytesRead;
  let lastActivity = Date.now();
  const timer = setInterval(() => {
    const now = Date.now();
    // reading is wanted when nothing is buffered and someone consumes: flowing (pipe) or
    // through 'readable' (async iteration); a pipe paused by backpressure wants nothing
    const wantsData =
      res.readableLength === 0 &&
      (res.readableFlowing === true || res.listenerCount('readable') > 0);
    if (socket.bytesRead !== lastBytes || !wantsData) {
      lastBytes = socket.bytesRead;
      lastActivity = now;
    } else if (now - lastActivity >= idleMs) {
      clearInterval(timer);
      onIdle();
    }
  }, Math.max(20, Math.min(1000, idleMs / 5)));
  timer.unref();
  res.once('close', () => clearInterval(timer));
}

function describeNetworkError(e: Error): string {
  const code = (e as { code?: string }).code;
  return code
    ? `${e.message.includes(code) ? e.message : `${code}: ${e.message}`}`
    : e.message;
}

/** First `errors[]` entry of an OpenBao error body, for messages (never echoes a request). */
export function openBaoErrorText(status: number, body: any): string {
  const errors = Array.isArray(body?.errors)
    ? body.errors.filter((x: unknown) => typeof x === 'string')
    : [];
  return `HTTP ${status}${
    errors.length ? `: ${errors.join('; ').slice(0, 300)}` : ''
  }`;
}
