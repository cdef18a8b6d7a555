#!/usr/bin/env node
// Uploads the same OpenBao snapshot (from the sandbox's OpenBao double) to the same real S3
// server (Swift, scripts/s3-swift.sh) three ways and prints wall time, MiB/s, CPU-seconds
// and peak RSS side by side:
//   executor                      this package's bundle (verifies the snapshot in the stream)
//   curl | aws s3 cp -            Debian's awscli 2.x (/usr/bin/aws, installed when missing)
//   curl | rclone rcat            rclone from Debian
// Usage: npm run bench -w @internal/openbao-backup-executor [-- --size-mib 1024 --runs 1]
//        [--only <tool name part>] [--node-args '--cpu-prof --cpu-prof-dir=/tmp/prof'] (executor only)
// Missing awscli/rclone are installed with apt-get (root); GNU time measures each run.
import { execFileSync, spawn, spawnSync } from 'node:child_process';
import { once } from 'node:events';
import {
  existsSync,
  mkdtempSync,
  mkdirSync,
  readFileSync,
  writeFileSync,
} from 'node:fs';
import { createRequire } from 'node:module';
import { loadavg, tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const repo = join(root, '..');
const args = process.argv.slice(2);
const arg = (name, def) => {
  const i = args.indexOf(`--${name}`);
  return i >= 0 ? args[i + 1] : def;
};
const sizeMiB = Number(arg('size-mib', '1024'));
const runs = Number(arg('runs', '1'));
const partMiB = Number(arg('part-mib', '16'));
const concurrency = Number(arg('concurrency', '4'));
const endpoint = process.env.S3_TEST_ENDPOINT ?? 'http://127.0.0.1:8080';
const accessKey = process.env.S3_TEST_ACCESS_KEY ?? 'test:tester';
const secretKey = process.env.S3_TEST_SECRET_KEY ?? 'testing';

const has = cmd => spawnSync('sh', ['-c', `command -v ${cmd}`]).status === 0;
function ensureTools() {
  const missing = [];
  // The named baseline is Debian's awscli 2.x: another `aws` on PATH (pip's 1.x) is not used.
  if (!existsSync('/usr/bin/aws')) missing.push('awscli');
  if (!has('rclone')) missing.push('rclone');
  if (!existsSync('/usr/bin/time')) missing.push('time');
  if (!has('curl')) missing.push('curl');
  if (missing.length) {
    console.error(`installing ${missing.join(' ')} with apt-get…`);
    execFileSync('apt-get', ['update', '-qq'], { stdio: 'inherit' });
    execFileSync(
      'apt-get',
      ['install', '-y', '-qq', '--no-install-recommends', ...missing],
      {
        stdio: 'inherit',
        env: { ...process.env, DEBIAN_FRONTEND: 'noninteractive' },
      },
    );
  }
}

async function loadDouble(dir) {
  // The double is TypeScript in packages/sandbox; bundle it for plain node.
  const out = join(dir, 'openbao-double.cjs');
  await build({
    entryPoints: [join(repo, 'packages/sandbox/src/openbao/index.ts')],
    outfile: out,
    bundle: true,
    platform: 'node',
    format: 'cjs',
    logLevel: 'warning',
  });
  return createRequire(import.meta.url)(out);
}

const work = mkdtempSync(join(tmpdir(), 'executor-bench-'));

/** Runs a shell command under GNU time; returns seconds, CPU-seconds and peak RSS (MiB). */
// async: the OpenBao double serves from this process's event loop
async function timed(command, env) {
  const stats = join(work, `time-${Math.random().toString(16).slice(2)}`);
  const child = spawn(
    '/usr/bin/time',
    ['-f', '%e %U %S %M', '-o', stats, 'bash', '-o', 'pipefail', '-c', command],
    {
      env: { ...process.env, ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    },
  );
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', d => (stdout += d));
  child.stderr.on('data', d => (stderr = (stderr + d).slice(-4000)));
  const [status] = await once(child, 'exit');
  const r = { status, stdout, stderr };
  if (r.status !== 0)
    throw new Error(
      `${command} failed (${r.status}): ${r.stderr.slice(-2000)}`,
    );
  const [elapsed, user, sys, maxKiB] = readFileSync(stats, 'utf8')
    .trim()
    .split('\n')
    .pop()
    .split(' ')
    .map(Number);
  return {
    seconds: elapsed,
    cpu: user + sys,
    rssMiB: maxKiB / 1024,
    stdout: r.stdout,
    stderr: r.stderr,
  };
}

ensureTools();
execFileSync(process.execPath, [join(root, 'scripts/build.mjs')], {
  stdio: 'inherit',
});
const { startOpenBaoCluster } = await loadDouble(work);

const {
  S3Client,
  CreateBucketCommand,
  DeleteBucketCommand,
  DeleteObjectCommand,
  HeadObjectCommand,
} = await import('@aws-sdk/client-s3');
const s3 = new S3Client({
  endpoint,
  region: 'us-east-1',
  forcePathStyle: true,
  credentials: { accessKeyId: accessKey, secretAccessKey: secretKey },
  requestChecksumCalculation: 'WHEN_REQUIRED',
  responseChecksumValidation: 'WHEN_REQUIRED',
});
try {
  await fetch(endpoint, { signal: AbortSignal.timeout(3000) });
} catch {
  console.error(
    `S3 server not reachable at ${endpoint}: run bash scripts/s3-swift.sh start`,
  );
  process.exit(1);
}
const bucket = `bench-${Date.now().toString(36)}`;
await s3.send(new CreateBucketCommand({ Bucket: bucket }));

// stored gzip (level 0): the object is ≈ sizeMiB, and the source costs little CPU
const cluster = await startOpenBaoCluster({
  snapshot: { stateSize: sizeMiB * 1024 * 1024, compressionLevel: 0 },
  tokens: { bench: ['snapshot'] },
});
const leader = cluster.addresses[cluster.leaderIndex];
const snapshotUrl = `${leader}/v1/sys/storage/raft/snapshot`;
const curl = `curl -sSf -H 'X-Vault-Token: bench' ${snapshotUrl}`;

mkdirSync(join(work, 'creds'));
writeFileSync(join(work, 'creds/accessKeyId'), accessKey);
writeFileSync(join(work, 'creds/secretAccessKey'), secretKey);
writeFileSync(join(work, 'token'), 'bench');
writeFileSync(
  join(work, 'aws-config'),
  `[default]\nregion = us-east-1\ns3 =\n  multipart_chunksize = ${partMiB}MB\n  max_concurrent_requests = ${concurrency}\n  addressing_style = path\n`,
);
const aws = '/usr/bin/aws';
const awsVersion = spawnSync(aws, ['--version'], { encoding: 'utf8' });
const rcloneVersion = spawnSync('rclone', ['version'], {
  encoding: 'utf8',
}).stdout.split('\n')[0];

const tools = [
  {
    name: 'executor (verifies in stream)',
    command: `node ${arg('node-args', '')} ${join(root, 'dist/executor.js')}`,
    env: key => ({
      CLUSTER_NAMESPACE: 'bench',
      CLUSTER_NAME: 'bench',
      OPENBAO_ADDRESSES: cluster.addresses.join(','),
      BACKUP_AUTH_METHOD: 'token',
      BACKUP_TOKEN_PATH: join(work, 'token'),
      BACKUP_ENDPOINT: endpoint,
      BACKUP_BUCKET: bucket,
      BACKUP_KEY: key,
      BACKUP_USE_PATH_STYLE: 'true',
      BACKUP_PART_SIZE: `${partMiB}Mi`,
      BACKUP_CONCURRENCY: String(concurrency),
      BACKUP_CREDENTIALS_PATH: join(work, 'creds'),
      TERMINATION_LOG_PATH: join(work, 'termination-log'),
      MALLOC_ARENA_MAX: '2', // as in the image
    }),
  },
  {
    name: 'executor, BACKUP_STATE_CHECKSUM_METADATA=copy',
    command: `node ${arg('node-args', '')} ${join(root, 'dist/executor.js')}`,
    env: key => ({
      ...tools[0].env(key),
      BACKUP_STATE_CHECKSUM_METADATA: 'copy',
    }),
  },
  {
    name: `curl | aws s3 cp - (${
      (awsVersion.stdout || awsVersion.stderr).split(' ')[0]
    })`,
    command: key =>
      `${curl} | ${aws} s3 cp - s3://${bucket}/${key} --endpoint-url ${endpoint} --expected-size ${
        sizeMiB * 1048576 + 65536
      } --only-show-errors`,
    env: () => ({
      AWS_ACCESS_KEY_ID: accessKey,
      AWS_SECRET_ACCESS_KEY: secretKey,
      AWS_CONFIG_FILE: join(work, 'aws-config'),
      AWS_DEFAULT_REGION: 'us-east-1',
    }),
  },
  {
    name: `curl | rclone rcat (${rcloneVersion.replace('rclone ', '')})`,
    command: key =>
      `${curl} | rclone rcat --s3-chunk-size ${partMiB}M --s3-upload-concurrency ${concurrency} bench:${bucket}/${key}`,
    env: () => ({
      RCLONE_CONFIG_BENCH_TYPE: 's3',
      RCLONE_CONFIG_BENCH_PROVIDER: 'Other',
      RCLONE_CONFIG_BENCH_ENDPOINT: endpoint,
      RCLONE_CONFIG_BENCH_ACCESS_KEY_ID: accessKey,
      RCLONE_CONFIG_BENCH_SECRET_ACCESS_KEY: secretKey,
      RCLONE_CONFIG_BENCH_REGION: 'us-east-1',
      RCLONE_CONFIG_BENCH_FORCE_PATH_STYLE: 'true',
      // rclone's S3 backend cannot combine AWS_CA_BUNDLE with its own transport; the endpoint is plain http
      AWS_CA_BUNDLE: '',
    }),
  },
];

const only = arg('only');
const rows = [];
const notes = [];
for (let run = 1; run <= runs; run++) {
  for (const tool of tools.filter(t => !only || t.name.includes(only))) {
    const key = `bench/tool${tools.indexOf(tool)}-${run}-${Date.now()}.snap`;
    const command =
      typeof tool.command === 'function' ? tool.command(key) : tool.command;
    const load = loadavg()[0];
    const r = await timed(command, tool.env(key));
    const head = await s3.send(
      new HeadObjectCommand({ Bucket: bucket, Key: key }),
    );
    // a GiB per run: keep the shared store's disk free
    await s3.send(new DeleteObjectCommand({ Bucket: bucket, Key: key }));
    const mib = head.ContentLength / 1048576;
    rows.push({
      tool: tool.name,
      run,
      mib,
      seconds: r.seconds,
      mibPerSecond: mib / r.seconds,
      cpu: r.cpu,
      rssMiB: r.rssMiB,
      load,
    });
    console.error(
      `${tool.name} run ${run}: ${mib.toFixed(0)} MiB in ${r.seconds}s`,
    );
    const done = r.stderr
      .split('\n')
      .filter(Boolean)
      .map(l => {
        try {
          return JSON.parse(l);
        } catch {
          return {};
        }
      })
      .find(l => l.msg === 'backup succeeded');
    if (done) {
      console.error(
        `  executor stage seconds: ${JSON.stringify(done.timings)}`,
      );
      notes.push(
        `${tool.name} #${run}: stream stage ${done.timings.stream.toFixed(
          1,
        )} s (${(mib / done.timings.stream).toFixed(
          1,
        )} MiB/s, verification included), ` +
          `verify stage ${done.timings.verify.toFixed(1)} s (HeadObject${
            tool.name.includes('copy')
              ? ' + the server-side self-copy that adds openbao-state-sha256 to a multipart object'
              : ''
          }).`,
      );
    }
  }
}
await cluster.stop();
await s3.send(new DeleteBucketCommand({ Bucket: bucket }));

console.log(
  `\nSnapshot ${sizeMiB} MiB (object ${rows[0].mib.toFixed(
    0,
  )} MiB), part ${partMiB} MiB × ${concurrency}, S3 ${endpoint}, ${runs} run(s), node ${
    process.version
  }\n`,
);
console.log(
  '| tool | seconds | MiB/s | CPU-seconds | peak RSS (MiB) | load (1 min) |',
);
console.log('|---|---:|---:|---:|---:|---:|');
for (const r of rows) {
  console.log(
    `| ${r.tool.replace(/\|/g, '\\|')}${
      runs > 1 ? ` #${r.run}` : ''
    } | ${r.seconds.toFixed(1)} | ${r.mibPerSecond.toFixed(
      1,
    )} | ${r.cpu.toFixed(1)} | ${r.rssMiB.toFixed(0)} | ${r.load.toFixed(1)} |`,
  );
}
for (const n of notes) console.log(`\n${n}`);
console.log(
  '\nCPU-seconds and peak RSS are those of the measured command (for a pipeline: CPU of all its processes, RSS of the largest one). The OpenBao double serving the snapshot runs in this benchmark process and is not counted. Load: the 1-minute load average when the run started (2 cores, shared).',
);
