import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync } from 'node:fs';
import { createServer, Server } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/**
 * scripts/demo.sh refuses ports it cannot use before it starts anything. Each run would start
 * the whole demo if the check were missing, so it is stopped (process group) after 20 s.
 */
const DEMO = join(__dirname, '../../../../scripts/demo.sh');

function listen(): Promise<Server> {
  return new Promise(resolve => {
    const server = createServer().listen(0, '127.0.0.1', () => resolve(server));
  });
}
const portOf = (s: Server) => (s.address() as { port: number }).port;

function runDemo(env: Record<string, string>) {
  const state = mkdtempSync(join(tmpdir(), 'demo-ports-'));
  const base = { ...process.env };
  delete base.S3_ENDPOINT;
  const child = spawn('bash', [DEMO], {
    env: {
      ...base,
      DEMO_STATE_DIR: state,
      DEMO_SKIP_BOOTSTRAP: '1',
      ...env,
    },
    detached: true,
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  let stderr = '';
  child.stderr!.on('data', c => (stderr += c));
  return new Promise<{ code: number | null; stderr: string; started: boolean }>(
    resolve => {
      const timer = setTimeout(
        () => process.kill(-child.pid!, 'SIGTERM'),
        20_000,
      );
      child.on('exit', code => {
        clearTimeout(timer);
        resolve({
          code,
          stderr,
          started: existsSync(join(state, 'sandbox.log')),
        });
      });
    },
  );
}

describe('scripts/demo.sh port checks', () => {
  let taken: Server;
  let free: number[];

  beforeAll(async () => {
    taken = await listen();
    // Ports that were free a moment ago (closed again): the checks must let them through.
    const servers = await Promise.all([listen(), listen(), listen()]);
    free = servers.map(portOf);
    await Promise.all(servers.map(s => new Promise(r => s.close(r))));
  });
  afterAll(() => new Promise(r => taken.close(r)));

  it.each(['DEMO_APP_PORT', 'DEMO_BACKEND_PORT'])(
    'stops with a clear message when %s is taken',
    async variable => {
      const ports = {
        DEMO_APP_PORT: String(free[0]),
        DEMO_BACKEND_PORT: String(free[1]),
      };
      const r = await runDemo({ ...ports, [variable]: String(portOf(taken)) });
      expect(r).toEqual({
        code: 1,
        stderr: `demo: port ${portOf(
          taken,
        )} (${variable}) is already in use: stop what listens there, or choose another port with ${variable}=<port>\n`,
        started: false,
      });
    },
  );

  it('refuses a port that is not a number, and the same port twice', async () => {
    const bad = await runDemo({ DEMO_APP_PORT: 'abc' });
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain('DEMO_APP_PORT=abc is not a port number');
    const same = await runDemo({
      DEMO_APP_PORT: String(free[0]),
      DEMO_BACKEND_PORT: String(free[0]),
    });
    expect(same.code).toBe(2);
    expect(same.stderr).toContain('must differ');
  });

  it('stops when Swift is asked for and its S3 port is taken, suggesting S3_ENDPOINT', async () => {
    const r = await runDemo({
      DEMO_APP_PORT: String(free[0]),
      DEMO_BACKEND_PORT: String(free[1]),
      DEMO_S3: 'swift',
      S3_PORT: String(portOf(taken)),
      S3_SWIFT_PORT_BASE: String(free[2]),
    });
    expect(r.code).toBe(1);
    expect(r.stderr).toContain(
      `demo: cannot start Swift: port ${portOf(
        taken,
      )} is in use (an S3 server there? then set S3_ENDPOINT=http://127.0.0.1:${portOf(
        taken,
      )}`,
    );
    expect(r.started).toBe(false);
  });
});
