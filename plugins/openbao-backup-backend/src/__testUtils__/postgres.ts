/*
 * A throwaway PostgreSQL cluster from the machine's binaries (initdb, pg_ctl; Debian's `postgresql`
 * package, which scripts/test-all.sh installs when they are missing), in a temp dir on a free port.
 */
import { execFileSync } from 'node:child_process';
import { chownSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export interface TestPostgres {
  connection: {
    host: string;
    port: number;
    user: string;
    password: string;
  };
  stop(): Promise<void>;
}

function binDirs(): string[] {
  let versions: string[] = [];
  try {
    versions = readdirSync('/usr/lib/postgresql').sort().reverse();
  } catch {
    // no Debian postgresql package
  }
  return [
    '/usr/local/bin',
    ...versions.map(v => `/usr/lib/postgresql/${v}/bin`),
  ];
}

function findBinary(name: string): string {
  const dirs = binDirs();
  for (const dir of dirs) {
    try {
      execFileSync(join(dir, name), ['--version'], { stdio: 'ignore' });
      return join(dir, name);
    } catch {
      // try the next directory
    }
  }
  throw new Error(
    `PostgreSQL binary "${name}" not found in ${dirs.join(
      ', ',
    )}: install Debian's postgresql package (apt-get install -y postgresql); scripts/test-all.sh does this`,
  );
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}

/** Starts PostgreSQL (trust auth on 127.0.0.1 only). As root, the server runs as user postgres. */
export async function startTestPostgres(): Promise<TestPostgres> {
  const initdb = findBinary('initdb');
  const pgCtl = findBinary('pg_ctl');
  const dir = mkdtempSync(join(tmpdir(), 'openbao-backup-pg-'));
  const data = join(dir, 'data');
  // PostgreSQL refuses to run as root.
  const asRoot = process.getuid?.() === 0;
  if (asRoot) {
    const uid = Number(execFileSync('id', ['-u', 'postgres']).toString());
    const gid = Number(execFileSync('id', ['-g', 'postgres']).toString());
    chownSync(dir, uid, gid);
  }
  const run = (bin: string, args: string[]) =>
    execFileSync(
      asRoot ? 'runuser' : bin,
      asRoot ? ['-u', 'postgres', '--', bin, ...args] : args,
      { stdio: 'pipe', cwd: dir },
    );
  const port = await freePort();
  run(initdb, ['-D', data, '-U', 'postgres', '--auth=trust', '-E', 'UTF8']);
  run(pgCtl, [
    '-D',
    data,
    '-l',
    join(dir, 'log'),
    '-w',
    '-o',
    `-p ${port} -k ${dir} -c listen_addresses=127.0.0.1 -c fsync=off -c max_connections=200`,
    'start',
  ]);
  return {
    connection: {
      host: '127.0.0.1',
      port,
      user: 'postgres',
      password: 'unused',
    },
    async stop() {
      try {
        run(pgCtl, ['-D', data, '-m', 'immediate', '-w', 'stop']);
      } finally {
        rmSync(dir, { recursive: true, force: true });
      }
    },
  };
}
