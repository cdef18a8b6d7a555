/*
 * A proxy the fault suite puts in front of a server it must not stop (the shared Swift S3, the
 * Kubernetes API double): `down()` makes the address refuse connections and cuts the open ones,
 * `up()` brings it back on the same port. In `http` mode every request passes `onRequest` first,
 * which may delay it, answer with an error status instead of forwarding it (500s on some S3
 * parts, a slow S3) or hold it unanswered (a store stuck on a part upload). `tcp` mode forwards bytes, so it carries TLS too. `silent()` makes it a black
 * hole: connections are accepted and read but never answered nor forwarded, like a hung API server
 * behind a live load balancer; `loud()` forwards new connections again.
 */
import http from 'node:http';
import net from 'node:net';
import { setTimeout as sleep } from 'node:timers/promises';

/** What to do with one request (http mode). */
export interface HttpFault {
  /** Wait this long before forwarding (or answering). */
  latencyMs?: number;
  /** Answer with this status and an S3-style XML error body instead of forwarding. */
  status?: number;
  /** Read the request and never answer it (a store stuck on one request); see `held`. */
  hold?: boolean;
}

/** The parts of a request `onRequest` decides on. */
export interface ProxiedRequest {
  method: string;
  /** Path and query, as sent. */
  url: string;
  headers: http.IncomingHttpHeaders;
}

export interface FaultProxyOptions {
  /** Where to forward, e.g. `http://127.0.0.1:8080`. */
  target: string;
  mode?: 'tcp' | 'http';
  /** http mode: the fault for this request, or undefined to forward it as is. */
  onRequest?: (req: ProxiedRequest) => HttpFault | undefined;
}

export interface FaultProxy {
  /** `http://127.0.0.1:<port>` (use `https://` for TLS through tcp mode). */
  readonly url: string;
  readonly port: number;
  /** Requests answered with an injected status so far (http mode). */
  readonly injected: number;
  /** Stops listening and destroys every open connection: clients see ECONNREFUSED / resets. */
  down(): Promise<void>;
  /** Listens again on the same port. */
  up(): Promise<void>;
  /**
   * From now on accepts connections and swallows their bytes without ever answering (not even a
   * TLS handshake); connections already open are cut. Clients wait until their own timeout.
   */
  silent(): void;
  /** Ends `silent()`: the swallowed connections are cut, new ones are forwarded again. */
  loud(): void;
  /** Connections accepted and left unanswered by `silent()` so far. */
  readonly swallowed: number;
  /**
   * Swallowed connections the client closed (gave up on, or cancelled), not counting those the
   * proxy cut (`loud()`, `down()`, `stop()`): how a test sees a client cancel a hung request.
   */
  readonly swallowedClosedByClient: number;
  /**
   * The first line each swallowed connection sent, in order (`GET /path?query HTTP/1.1` for plain
   * HTTP; empty until it arrives, and for TLS): tells a client's requests apart, e.g. watches.
   */
  readonly swallowedRequests: readonly string[];
  /** Requests held unanswered (`hold`) right now (http mode). */
  readonly held: number;
  /** Held requests the client gave up on (closed the connection): how a test sees a cancel. */
  readonly heldClosedByClient: number;
  /** Resolves once `n` requests are held at the same time. */
  untilHeld(n: number): Promise<void>;
  stop(): Promise<void>;
}

function s3Error(status: number) {
  return `<?xml version="1.0" encoding="UTF-8"?>\n<Error><Code>InternalError</Code><Message>injected fault (HTTP ${status})</Message></Error>`;
}

export async function startFaultProxy(
  options: FaultProxyOptions,
): Promise<FaultProxy> {
  const target = new URL(options.target);
  const targetPort = Number(target.port || 80);
  const sockets = new Set<net.Socket>();
  const held = new Set<net.Socket>();
  let injected = 0;
  let swallowed = 0;
  let swallowedClosedByClient = 0;
  const swallowedRequests: string[] = [];
  /** Sockets the proxy itself destroyed (so their close is not the client's). */
  const cutByProxy = new WeakSet<net.Socket>();
  let silent = false;
  let heldRequests = 0;
  let heldClosedByClient = 0;
  /** `untilHeld` waiters, each told of every change of `heldRequests`. */
  const heldWaiters = new Set<() => void>();
  const heldChanged = () => heldWaiters.forEach(w => w());

  const forwardHttp = async (
    req: http.IncomingMessage,
    res: http.ServerResponse,
  ) => {
    const fault = options.onRequest?.({
      method: req.method ?? 'GET',
      url: req.url ?? '/',
      headers: req.headers,
    });
    if (fault?.latencyMs) await sleep(fault.latencyMs);
    if (fault?.hold) {
      heldRequests++;
      heldChanged();
      req.resume(); // take the body; never answer
      res.once('close', () => {
        heldRequests--;
        if (!cutByProxy.has(req.socket)) heldClosedByClient++;
        heldChanged();
      });
      return;
    }
    if (fault?.status) {
      injected++;
      // Read the body first so the client is not cut off mid-upload and sees the answer.
      req.resume();
      req.once('end', () =>
        res
          .writeHead(fault.status!, { 'content-type': 'application/xml' })
          .end(s3Error(fault.status!)),
      );
      return;
    }
    // `expect` is never signed (SigV4): the upstream answers the body directly.
    const { expect: _expect, ...headers } = req.headers;
    const upstream = http.request(
      {
        host: target.hostname,
        port: targetPort,
        method: req.method,
        path: req.url,
        headers,
        agent: false,
      },
      up => {
        res.writeHead(up.statusCode ?? 502, up.rawHeaders);
        up.pipe(res);
        up.once('error', () => res.destroy());
      },
    );
    upstream.once('error', () => res.destroy());
    res.once('close', () => upstream.destroy());
    req.pipe(upstream);
  };

  const httpServer = http.createServer(
    (req, res) => void forwardHttp(req, res),
  );
  const forwardTcp = (client: net.Socket) => {
    const upstream = net.connect(targetPort, target.hostname);
    sockets.add(upstream);
    upstream.once('close', () => sockets.delete(upstream));
    client.pipe(upstream).pipe(client);
    client.once('error', () => upstream.destroy());
    upstream.once('error', () => client.destroy());
    client.once('close', () => upstream.destroy());
    upstream.once('close', () => client.destroy());
  };
  /** Reads and drops everything, answers nothing (the client's writes never block). */
  const swallow = (client: net.Socket) => {
    swallowed++;
    const index = swallowedRequests.push('') - 1;
    let head = '';
    const readFirstLine = (chunk: Buffer) => {
      head += chunk.toString('latin1');
      const end = head.indexOf('\r\n');
      if (end < 0 && head.length < 8192) return;
      // TLS and other binary protocols do not start with a request line.
      const line = end >= 0 ? head.slice(0, end) : '';
      swallowedRequests[index] = /^[A-Z]+ \S+ HTTP\/1\.[01]$/.test(line)
        ? line
        : '';
      client.off('data', readFirstLine);
    };
    client.on('data', readFirstLine);
    held.add(client);
    client.once('close', () => {
      held.delete(client);
      if (!cutByProxy.has(client)) swallowedClosedByClient++;
    });
    client.on('error', () => client.destroy());
    client.resume();
  };
  // One listener for both modes, so a connection can be swallowed before anything answers it.
  const server = net.createServer(client => {
    sockets.add(client);
    client.once('close', () => sockets.delete(client));
    if (silent) swallow(client);
    else if (options.mode === 'http') httpServer.emit('connection', client);
    else forwardTcp(client);
  });
  const destroy = (s: net.Socket) => {
    cutByProxy.add(s);
    s.destroy();
  };
  const cut = () => sockets.forEach(destroy);

  const listen = (port: number) =>
    new Promise<number>((resolve, reject) => {
      server.once('error', reject);
      server.listen(port, '127.0.0.1', () => {
        server.off('error', reject);
        resolve((server.address() as net.AddressInfo).port);
      });
    });
  const close = () =>
    new Promise<void>(resolve => {
      server.close(() => resolve());
      cut();
    });

  const port = await listen(0);
  return {
    url: `http://127.0.0.1:${port}`,
    port,
    get injected() {
      return injected;
    },
    get swallowed() {
      return swallowed;
    },
    get swallowedClosedByClient() {
      return swallowedClosedByClient;
    },
    get swallowedRequests() {
      return [...swallowedRequests];
    },
    get held() {
      return heldRequests;
    },
    get heldClosedByClient() {
      return heldClosedByClient;
    },
    untilHeld: n =>
      new Promise(resolve => {
        const check = () => {
          if (heldRequests < n) return;
          heldWaiters.delete(check);
          resolve();
        };
        heldWaiters.add(check);
        check();
      }),
    silent: () => {
      silent = true;
      cut();
    },
    loud: () => {
      silent = false;
      held.forEach(destroy);
    },
    down: () => (server.listening ? close() : Promise.resolve()),
    up: async () => {
      if (!server.listening) await listen(port);
    },
    stop: () => (server.listening ? close() : Promise.resolve()),
  };
}
