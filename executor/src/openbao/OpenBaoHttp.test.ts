import { once } from 'node:events';
import http from 'node:http';
import net, { type AddressInfo } from 'node:net';
import { setTimeout as sleep } from 'node:timers/promises';
import { OpenBaoHttp } from './OpenBaoHttp';

describe('OpenBaoHttp timeouts', () => {
  let server: http.Server;
  let url: string;
  let stallAfterFirstChunk = false;

  beforeAll(async () => {
    server = http.createServer(async (_req, res) => {
      res.writeHead(200);
      res.write(Buffer.alloc(1024, 1));
      if (stallAfterFirstChunk) return; // never ends
      // 16 MiB: more than the socket buffers hold, so a paused reader blocks the sender
      for (let i = 0; i < 256; i++) {
        if (!res.write(Buffer.alloc(65536, 2))) await once(res, 'drain');
      }
      res.end();
    });
    server.listen(0, '127.0.0.1');
    await once(server, 'listening');
    url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/`;
  });
  afterAll(async () => {
    server.closeAllConnections();
    server.close();
  });

  const client = () =>
    new OpenBaoHttp({
      timeouts: { connectMs: 1000, headerMs: 1000, idleMs: 300 },
    });

  it('fails a body that stalls longer than the idle timeout', async () => {
    stallAfterFirstChunk = true;
    const res = await client().request(url);
    const chunks: Buffer[] = [];
    await expect(
      (async () => {
        for await (const c of res) chunks.push(c);
      })(),
    ).rejects.toThrow('no data from http://127.0.0.1');
  });

  it('does not count the time the reader itself keeps the body paused', async () => {
    stallAfterFirstChunk = false;
    const res = await client().request(url);
    res.pause();
    await sleep(100);
    res.resume();
    res.pause();
    await sleep(700); // > idle timeout, but we are the ones not reading
    let bytes = 0;
    for await (const c of res) bytes += c.length;
    expect(bytes).toBe(1024 + 16 * 1024 * 1024);
  });

  it('fails when no response headers arrive in time', async () => {
    const silent = http.createServer(() => {});
    silent.listen(0, '127.0.0.1');
    await once(silent, 'listening');
    const port = (silent.address() as AddressInfo).port;
    await expect(client().request(`http://127.0.0.1:${port}/`)).rejects.toThrow(
      'no response headers',
    );
    silent.closeAllConnections();
    silent.close();
  });

  // "connect" includes the TLS handshake: a TCP peer that accepts and never answers it stalls there.
  it('fails within the connect timeout when the TLS handshake never completes', async () => {
    const sockets: net.Socket[] = [];
    const mute = net.createServer(s => void sockets.push(s));
    mute.listen(0, '127.0.0.1');
    await once(mute, 'listening');
    const port = (mute.address() as AddressInfo).port;
    const tlsClient = new OpenBaoHttp({
      timeouts: { connectMs: 300, headerMs: 5000, idleMs: 5000 },
    });
    // The message names the 0.3 s connect timeout, not the 5 s header one.
    await expect(
      tlsClient.request(`https://127.0.0.1:${port}/`),
    ).rejects.toThrow(
      `could not connect to https://127.0.0.1:${port} within 0.3s`,
    );
    expect(sockets).toHaveLength(1); // TCP did connect: it is the handshake that timed out
    sockets.forEach(s => s.destroy());
    mute.close();
  });
});
