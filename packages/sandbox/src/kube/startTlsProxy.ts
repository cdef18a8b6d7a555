import http from 'node:http';
import https from 'node:https';
import { AddressInfo } from 'node:net';
import { selfSignedCertificate } from './selfSignedCertificate';

/** A running {@link startTlsProxy}. */
export interface TlsProxyHandle {
  /** `https://127.0.0.1:<port>` */
  url: string;
  /** PEM of the proxy's self-signed certificate (its own CA). */
  caPem: string;
  /** Requests proxied so far. */
  requests(): number;
  close(): Promise<void>;
}

/**
 * An https reverse proxy with a throwaway self-signed certificate in front of a plain http
 * server (e.g. the test S3 server): stands in for an endpoint with a private CA. The Host header
 * is forwarded unchanged because SigV4 signed it.
 */
export async function startTlsProxy(target: string): Promise<TlsProxyHandle> {
  const tls = await selfSignedCertificate({ subject: '/CN=private-s3' });
  let proxied = 0;
  const server = https.createServer(tls, (req, res) => {
    proxied++;
    const upstream = http.request(
      `${target}${req.url}`,
      { method: req.method, headers: req.headers },
      up => {
        res.writeHead(up.statusCode!, up.headers);
        up.pipe(res);
      },
    );
    upstream.on('error', e => res.destroy(e));
    req.pipe(upstream);
  });
  await new Promise<void>(r => server.listen(0, '127.0.0.1', () => r()));
  return {
    url: `https://127.0.0.1:${(server.address() as AddressInfo).port}`,
    caPem: tls.cert,
    requests: () => proxied,
    close: () =>
      new Promise<void>(r => {
        server.closeAllConnections();
        server.close(() => r());
      }),
  };
}
