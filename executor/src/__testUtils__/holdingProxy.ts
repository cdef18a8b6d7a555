import http from 'node:http';
import type net from 'node:net';

export interface HoldingProxy {
  url: string;
  /** Requests held open right now. */
  readonly held: number;
  /** Held requests the client gave up on (closed the connection). */
  readonly closedByClient: number;
  /** Resolves once `n` requests are held. */
  untilHeld(n: number): Promise<void>;
  stop(): Promise<void>;
}

/**
 * An http proxy in front of the S3 test server that never answers the requests `hold` picks
 * (a store stuck on a part upload) and forwards the rest. It counts the held requests the client
 * cancels, which is how a test sees that the client really gave up on them. `hold` sees every
 * request's headers, so a test can also record what the client sent.
 */
export async function startHoldingProxy(
  target: string,
  hold: (req: {
    method: string;
    url: string;
    headers: http.IncomingHttpHeaders;
  }) => boolean,
): Promise<HoldingProxy> {
  const to = new URL(target);
  const sockets = new Set<net.Socket>();
  let held = 0;
  let closedByClient = 0;
  let changed = () => {};
  const server = http.createServer((req, res) => {
    if (
      hold({
        method: req.method ?? 'GET',
        url: req.url ?? '/',
        headers: req.headers,
      })
    ) {
      held++;
      changed();
      req.resume(); // take the body; never answer
      res.once('close', () => {
        held--;
        closedByClient++;
        changed();
      });
      return;
    }
    // `expect` is never signed (SigV4): the upstream answers the body directly
    const { expect: _expect, ...headers } = req.headers;
    const upstream = http.request(
      {
        host: to.hostname,
        port: Number(to.port || 80),
        method: req.method,
        path: req.url,
        headers,
        agent: false,
      },
      up => {
        res.writeHead(up.statusCode ?? 502, up.rawHeaders);
        up.pipe(res);
      },
    );
    upstream.once('error', () => res.destroy());
    req.pipe(upstream);
  });
  server.on('connection', s => {
    sockets.add(s);
    s.once('close', () => sockets.delete(s));
  });
  await new Promise<void>(resolve =>
    server.listen(0, '127.0.0.1', () => resolve()),
  );
  const { port } = server.address() as net.AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    get held() {
      return held;
    },
    get closedByClient() {
      return closedByClient;
    },
    untilHeld: n =>
      new Promise(resolve => {
        changed = () => {
          if (held >= n) resolve();
        };
        changed();
      }),
    stop: () =>
      new Promise(resolve => {
        server.close(() => resolve());
        for (const s of sockets) s.destroy();
      }),
  };
}

/** S3 UploadPart: a PUT with a partNumber query. */
export const isUploadPart = (req: { method: string; url: string }) =>
  req.method === 'PUT' && /[?&]partNumber=/.test(req.url);
