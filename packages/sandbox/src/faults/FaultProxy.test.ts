import http from 'node:http';
import net, { AddressInfo } from 'node:net';
import { FaultProxy, startFaultProxy } from './FaultProxy';

describe('startFaultProxy', () => {
  let origin: http.Server;
  let target: string;
  const proxies: FaultProxy[] = [];

  beforeAll(async () => {
    // Echoes method, path and body length, so forwarding can be checked byte for byte.
    origin = http.createServer((req, res) => {
      let size = 0;
      req.on('data', c => (size += c.length));
      req.on('end', () => res.end(`${req.method} ${req.url} ${size}`));
    });
    await new Promise<void>(r => origin.listen(0, '127.0.0.1', r));
    target = `http://127.0.0.1:${(origin.address() as AddressInfo).port}`;
  });
  afterAll(async () => {
    await Promise.all(proxies.map(p => p.stop()));
    await new Promise(r => origin.close(r));
  });

  const start = async (o: Parameters<typeof startFaultProxy>[0]) => {
    const p = await startFaultProxy(o);
    proxies.push(p);
    return p;
  };
  const put = (url: string, body: Buffer) =>
    fetch(url, { method: 'PUT', body }).then(async r => ({
      status: r.status,
      text: await r.text(),
    }));

  it.each(['tcp', 'http'] as const)(
    '%s: forwards, refuses connections while down, and forwards again after up on the same port',
    async mode => {
      const proxy = await start({ target, mode });
      const body = Buffer.alloc(3 * 1024 * 1024, 1);
      await expect(put(`${proxy.url}/b/k?x=1`, body)).resolves.toEqual({
        status: 200,
        text: `PUT /b/k?x=1 ${body.length}`,
      });
      await proxy.down();
      const refused = await fetch(proxy.url).catch(e => e.cause?.code);
      expect(refused).toBe('ECONNREFUSED');
      await proxy.up();
      await expect(put(`${proxy.url}/again`, body)).resolves.toEqual({
        status: 200,
        text: `PUT /again ${body.length}`,
      });
    },
  );

  it('http: answers the chosen requests with an error after reading their body, delays others', async () => {
    const proxy = await start({
      target,
      mode: 'http',
      onRequest: r =>
        r.url.includes('partNumber=2')
          ? { status: 500 }
          : { latencyMs: r.url.includes('slow') ? 300 : 0 },
    });
    const failed = await put(
      `${proxy.url}/b/k?partNumber=2&uploadId=u`,
      Buffer.alloc(1024 * 1024),
    );
    expect(failed.status).toBe(500);
    expect(failed.text).toContain('<Code>InternalError</Code>');
    expect(proxy.injected).toBe(1);
    const t0 = Date.now();
    await expect(put(`${proxy.url}/slow`, Buffer.alloc(1))).resolves.toEqual({
      status: 200,
      text: 'PUT /slow 1',
    });
    expect(Date.now() - t0).toBeGreaterThanOrEqual(290);
    expect(proxy.injected).toBe(1);
  });

  it.each(['tcp', 'http'] as const)(
    '%s: silent accepts connections and never answers, loud forwards again',
    async mode => {
      const proxy = await start({ target, mode });
      proxy.silent();
      const hung = await fetch(`${proxy.url}/hung`, {
        method: 'PUT',
        body: Buffer.alloc(64 * 1024, 1),
        signal: AbortSignal.timeout(300),
      }).then(
        r => `answered ${r.status}`,
        e => e.name,
      );
      // The client gave up on its own: no answer, no refusal, no reset.
      expect(hung).toBe('TimeoutError');
      expect(proxy.swallowed).toBe(1);
      proxy.loud();
      await expect(put(`${proxy.url}/back`, Buffer.alloc(1))).resolves.toEqual({
        status: 200,
        text: 'PUT /back 1',
      });
      expect(proxy.swallowed).toBe(1);
    },
  );

  it('http: holds the chosen requests unanswered, forwards the rest, and sees the client give up', async () => {
    const proxy = await start({
      target,
      mode: 'http',
      onRequest: req =>
        req.headers['x-hold'] === 'yes' ? { hold: true } : undefined,
    });
    const cancel = new AbortController();
    const held = fetch(`${proxy.url}/stuck`, {
      method: 'PUT',
      body: Buffer.alloc(1024, 1),
      headers: { 'x-hold': 'yes' },
      signal: cancel.signal,
    });
    await proxy.untilHeld(1);
    // Another request passes while the first is held.
    expect(await put(`${proxy.url}/free`, Buffer.alloc(10, 1))).toEqual({
      status: 200,
      text: 'PUT /free 10',
    });
    expect(proxy.held).toBe(1);
    expect(proxy.heldClosedByClient).toBe(0);
    cancel.abort();
    await expect(held).rejects.toThrow();
    for (let i = 0; i < 100 && proxy.heldClosedByClient === 0; i++)
      await new Promise(r => setTimeout(r, 10));
    expect({ held: proxy.held, closed: proxy.heldClosedByClient }).toEqual({
      held: 0,
      closed: 1,
    });
  });

  it('silent: counts the swallowed connections the client closed, not those the proxy cut', async () => {
    const proxy = await start({ target });
    const until = async (what: string, done: () => boolean) => {
      for (let i = 0; !done(); i++) {
        if (i > 200) throw new Error(`timed out waiting for ${what}`);
        await new Promise(r => setTimeout(r, 10));
      }
    };
    const connect = async () => {
      const socket = net.connect(proxy.port, '127.0.0.1');
      socket.on('error', () => {});
      const closed = new Promise(r => socket.once('close', r));
      socket.write('GET /hung HTTP/1.1\r\nhost: x\r\n\r\n');
      return { socket, closed };
    };
    proxy.silent();
    const cancelled = await connect();
    await until(
      'the first connection to be swallowed',
      () => proxy.swallowed === 1,
    );
    cancelled.socket.destroy();
    await until(
      'the client close to be seen',
      () => proxy.swallowedClosedByClient === 1,
    );
    const cut = await connect();
    await until(
      'the second connection to be swallowed',
      () => proxy.swallowed === 2,
    );
    proxy.loud();
    await cut.closed;
    expect({
      swallowed: proxy.swallowed,
      closedByClient: proxy.swallowedClosedByClient,
      requests: proxy.swallowedRequests,
    }).toEqual({
      swallowed: 2,
      closedByClient: 1,
      requests: ['GET /hung HTTP/1.1', 'GET /hung HTTP/1.1'],
    });
  });

  it('http hold: every untilHeld waiter resolves, and a connection the proxy cuts is not a client cancel', async () => {
    const proxy = await startFaultProxy({
      target,
      mode: 'http',
      onRequest: () => ({ hold: true }),
    });
    const one = proxy.untilHeld(1);
    const two = proxy.untilHeld(2);
    const requests = [1, 2].map(i =>
      fetch(`${proxy.url}/held-${i}`).catch(e => e),
    );
    await Promise.all([one, two]);
    expect(proxy.held).toBe(2);
    await proxy.stop(); // the proxy cuts both connections itself
    await Promise.all(requests);
    for (let i = 0; i < 100 && proxy.held > 0; i++)
      await new Promise(r => setTimeout(r, 10));
    expect({ held: proxy.held, closed: proxy.heldClosedByClient }).toEqual({
      held: 0,
      closed: 0,
    });
  });
});
