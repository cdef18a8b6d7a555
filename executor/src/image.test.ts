/*
 * Builds the executor image's runtime stage with buildah and runs a backup in it. No base image
 * can be pulled here, so the base is assembled locally: `FROM scratch` with this machine's Node 24
 * at distroless' path (/nodejs/bin/node) and the glibc libraries it links. The runtime stage is
 * taken from executor/Dockerfile itself (only its FROM and the COPY from the build stage are
 * pointed at the local base and the host-built bundle), so ENV, USER, WORKDIR and ENTRYPOINT are
 * the real ones. Skipped, with the reason printed, without buildah or root.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import {
  chmodSync,
  copyFileSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  rmSync,
  statSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { DeleteObjectCommand } from '@aws-sdk/client-s3';
import { startOpenBaoCluster } from '@internal/openbao-backup-sandbox';
import { executorEnv, spawnCollecting } from './__testUtils__/harness';
import {
  assertS3Reachable,
  createTestBucket,
  headObject,
  testS3Client,
} from './__testUtils__/s3';

const EXECUTOR = join(__dirname, '..');
const MiB = 1024 * 1024;

function skipReason(): string | undefined {
  if (spawnSync('buildah', ['--version']).status !== 0)
    return 'buildah is not installed (apt-get install buildah)';
  if (process.getuid?.() !== 0)
    return 'buildah with --isolation chroot needs root';
  return undefined;
}
const reason = skipReason();
if (reason) {
  // eslint-disable-next-line no-console
  console.log(`image.test: executor image build skipped: ${reason}`);
}

/** The Dockerfile's last stage, built from a local base and the host-built bundle. */
function runtimeStage(dockerfile: string, base: string): string {
  const stage = dockerfile.slice(dockerfile.lastIndexOf('\nFROM ') + 1);
  const copies = stage.match(/^COPY --from=build .*$/gm) ?? [];
  if (copies.length !== 1)
    throw new Error(`expected one COPY --from=build, found ${copies.length}`);
  return stage
    .replace(/^FROM .*$/m, `FROM ${base}`)
    .replace(
      /^COPY --from=build (.*)$/m,
      (_, args: string) => `COPY ${args.replace(/\/src\/executor\//g, '')}`,
    );
}

(reason ? describe.skip : describe)('the executor image (buildah)', () => {
  const work = mkdtempSync(join(tmpdir(), 'executor-image-'));
  const store = [
    '--root',
    join(work, 'storage'),
    '--runroot',
    join(work, 'run'),
    '--storage-driver',
    'vfs',
  ];
  const buildah = (...args: string[]) =>
    execFileSync('buildah', [...store, ...args], {
      encoding: 'utf8',
      stdio: ['ignore', 'pipe', 'pipe'],
      timeout: 300_000,
    });

  /** `buildah run` as `user` with host paths mounted (async: the OpenBao double answers from this process). */
  const buildahRun = (
    container: string,
    mounts: Record<string, string>,
    user: string,
    command: string[],
  ) =>
    spawnCollecting('buildah', [
      ...store,
      'run',
      '--isolation',
      'chroot',
      '--network',
      'host',
      '--user',
      user,
      ...Object.entries(mounts).flatMap(([from, to]) => [
        '-v',
        `${from}:${to}`,
      ]),
      container,
      '--',
      ...command,
    ]).exited;

  /**
   * Makes the container's root filesystem read-only for the next `buildah run`; returns the undo.
   * The mount points for `mountTargets` and for what buildah mounts itself (/dev, /proc, /sys, /run/.containerenv,
   * /etc/hosts, /etc/resolv.conf) must exist beforehand: nothing can create them once the root is read-only.
   */
  const readOnlyRoot = (container: string, mountTargets: string[]) => {
    const root = buildah('mount', container).trim();
    for (const target of mountTargets.map(t => t.replace(/:ro$/, ''))) {
      const isFile = target === '/etc/bao/token/token';
      mkdirSync(join(root, isFile ? dirname(target) : target), {
        recursive: true,
      });
      if (isFile) writeFileSync(join(root, target), '');
    }
    for (const d of ['dev', 'proc', 'sys', 'run'])
      mkdirSync(join(root, d), { recursive: true });
    for (const f of [
      'etc/hosts',
      'etc/resolv.conf',
      'etc/hostname',
      'run/.containerenv',
    ])
      writeFileSync(join(root, f), '', { flag: 'a' });
    execFileSync('mount', ['--bind', root, root]);
    execFileSync('mount', ['-o', 'remount,bind,ro', root, root]);
    // buildah 1.28 removes /run/.containerenv after the run and panics if it cannot: /run stays
    // writable (a scratch dir; the executor writes nothing there, the probe below checks / and /app)
    const run = mkdtempSync(join(work, 'run-'));
    execFileSync('mount', ['--bind', run, join(root, 'run')]);
    return () => {
      execFileSync('umount', [join(root, 'run')]);
      execFileSync('umount', [root]);
      buildah('umount', container);
    };
  };

  afterAll(() => {
    spawnSync('buildah', [...store, 'rm', '--all']);
    spawnSync('buildah', [...store, 'rmi', '--all', '--force']);
    rmSync(work, { recursive: true, force: true });
  });

  it('builds from a local base and backs up as user 65532 with a read-only root filesystem', async () => {
    await assertS3Reachable();
    execFileSync(process.execPath, [join(EXECUTOR, 'scripts/build.mjs')]);

    // base: node and the libraries `ldd` lists, nothing else (no shell, like distroless)
    const rootfs = join(work, 'base/rootfs');
    const put = (from: string, to: string) => {
      mkdirSync(dirname(join(rootfs, to)), { recursive: true });
      copyFileSync(from, join(rootfs, to));
    };
    put(process.execPath, 'nodejs/bin/node');
    chmodSync(join(rootfs, 'nodejs/bin/node'), 0o755);
    const libs = execFileSync('ldd', [process.execPath], { encoding: 'utf8' })
      .split('\n')
      .map(l => l.match(/(\/\S+) \(0x/)?.[1])
      .filter((l): l is string => !!l);
    for (const lib of libs) put(lib, lib);
    writeFileSync(
      join(work, 'base/Containerfile'),
      'FROM scratch\nCOPY rootfs/ /\n',
    );
    buildah(
      'bud',
      '--isolation',
      'chroot',
      '-t',
      'localhost/executor-base',
      join(work, 'base'),
    );

    const ctx = join(work, 'app');
    mkdirSync(join(ctx, 'dist'), { recursive: true });
    for (const f of ['executor.js', 'THIRD_PARTY_NOTICES.txt'])
      copyFileSync(join(EXECUTOR, 'dist', f), join(ctx, 'dist', f));
    writeFileSync(
      join(ctx, 'Containerfile'),
      runtimeStage(
        readFileSync(join(EXECUTOR, 'Dockerfile'), 'utf8'),
        'localhost/executor-base',
      ),
    );
    buildah(
      'bud',
      '--isolation',
      'chroot',
      '--pull-never',
      '-t',
      'localhost/openbao-backup-executor:test',
      ctx,
    );
    const config = JSON.parse(
      buildah(
        'inspect',
        '--type',
        'image',
        'localhost/openbao-backup-executor:test',
      ),
    ).OCIv1.config as { User: string; Entrypoint: string[]; Env: string[] };
    expect(config.User).toBe('65532:65532');
    expect(config.Entrypoint).toEqual(['/nodejs/bin/node', '/app/executor.js']);

    // a backup from the OpenBao double into Swift, the Job's files mounted read-only
    const cluster = await startOpenBaoCluster({
      snapshot: { stateSize: 24 * MiB, compressionLevel: 1 },
      tokens: { t: ['snapshot'] },
    });
    try {
      const s3 = testS3Client();
      const bucket = await createTestBucket(s3, 'image');
      const { env, dir, key } = executorEnv({
        cluster,
        bucket,
        auth: { method: 'token', token: 't' },
      });
      const out = join(work, 'out');
      mkdirSync(out);
      chmodSync(out, 0o777);
      Object.assign(env, {
        BACKUP_CREDENTIALS_PATH: '/etc/bao/backup/credentials',
        BACKUP_TOKEN_PATH: '/etc/bao/token/token',
        TERMINATION_LOG_PATH: '/out/termination-log',
      });
      delete env.PATH;
      chmodSync(dir, 0o755);
      const container = buildah(
        'from',
        '--pull-never',
        'localhost/openbao-backup-executor:test',
      ).trim();
      buildah(
        'config',
        ...Object.entries(env).flatMap(([k, v]) => ['--env', `${k}=${v}`]),
        container,
      );
      const mounts = {
        [join(dir, 'credentials')]: '/etc/bao/backup/credentials:ro',
        [join(dir, 'token')]: '/etc/bao/token/token:ro',
        [out]: '/out',
      };
      // readOnlyRootFilesystem: `buildah run` has no --read-only, so the container's root (its
      // mount point, which chroot isolation enters) is bind-mounted read-only onto itself first
      const undoReadOnly = readOnlyRoot(container, Object.values(mounts));
      const run = await buildahRun(container, mounts, config.User, [
        ...config.Entrypoint,
      ]).finally(undoReadOnly);
      expect(run.stderr).toContain('backup succeeded');
      expect(run.code).toBe(0);
      const report = JSON.parse(run.stdout.trim().split('\n').pop()!);
      expect(report).toMatchObject({ ok: true, stage: 'done', key });
      expect((await headObject(s3, bucket, key)).ContentLength).toBe(
        report.size,
      );
      const written = statSync(join(out, 'termination-log'));
      expect(written.uid).toBe(65532);
      expect(readFileSync(join(out, 'termination-log'), 'utf8')).toBe(
        run.stdout.trim(),
      );
      // the root really was read-only: even uid 0 gets EROFS there, while /out took the log
      const undo = readOnlyRoot(container, Object.values(mounts));
      const probe = await buildahRun(container, mounts, '0:0', [
        '/nodejs/bin/node',
        '-e',
        "for (const p of ['/probe', '/app/probe', '/out/probe']) { try { require('fs').writeFileSync(p, 'x'); console.log(p, 'written') } catch (e) { console.log(p, e.code) } }",
      ]).finally(undo);
      expect(probe.stdout.trim().split('\n')).toEqual([
        '/probe EROFS',
        '/app/probe EROFS',
        '/out/probe written',
      ]);
      await s3.send(new DeleteObjectCommand({ Bucket: bucket, Key: key }));
    } finally {
      await cluster.stop();
    }
  }, 600_000);
});
