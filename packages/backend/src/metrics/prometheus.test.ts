/*
 * End to end: the exporter this backend installs serves what the openbao-backup plugin records.
 * BackupMetrics is the plugin's real class, taking its meter from the global @opentelemetry/api as
 * in the running backend; the scrape is a plain HTTP GET on /metrics.
 */
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import path from 'node:path';
// The plugin does not export this class from its index; the test uses it as plugin.ts does.
// eslint-disable-next-line @backstage/no-relative-monorepo-imports
import { BackupMetrics } from '../../../../plugins/openbao-backup-backend/src/reconcile/BackupMetrics';
import { MetricsLog, startPrometheusMetrics } from './prometheus';

const REPO_ROOT = path.resolve(__dirname, '../../../..');

async function freePort(): Promise<number> {
  const server = net.createServer();
  await new Promise<void>(resolve => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as net.AddressInfo;
  await new Promise(resolve => server.close(resolve));
  return port;
}

interface Exposition {
  /** name -> TYPE and UNIT comments */
  families: Map<string, { type?: string; unit?: string }>;
  samples: Array<{
    name: string;
    labels: Record<string, string>;
    value: number;
  }>;
}

/** The Prometheus text format, enough for the exporter's output (no escaped quotes in labels). */
function parseExposition(text: string): Exposition {
  const families: Exposition['families'] = new Map();
  const samples: Exposition['samples'] = [];
  for (const line of text.split('\n')) {
    const meta = /^# (TYPE|UNIT) (\S+) (\S+)$/.exec(line);
    if (meta) {
      const family = families.get(meta[2]) ?? {};
      family[meta[1] === 'TYPE' ? 'type' : 'unit'] = meta[3];
      families.set(meta[2], family);
      continue;
    }
    const sample = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(?:\{(.*)\})? (\S+)$/.exec(line);
    if (!sample) continue;
    const labels: Record<string, string> = {};
    for (const [, k, v] of (sample[2] ?? '').matchAll(/(\w+)="([^"]*)"/g)) {
      labels[k] = v;
    }
    samples.push({ name: sample[1], labels, value: Number(sample[3]) });
  }
  return { families, samples };
}

/** The metric table of docs/metrics.md: name -> type. */
function documentedMetrics(): Record<string, string> {
  const doc = fs.readFileSync(path.join(REPO_ROOT, 'docs/metrics.md'), 'utf8');
  return Object.fromEntries(
    [...doc.matchAll(/^\| `(openbao_backup_\w+)` +\| (\w+) +\|/gm)].map(
      ([, name, type]) => [name, type],
    ),
  );
}

const ref = {
  kubernetesCluster: 'kind-east',
  namespace: 'openbao',
  name: 'bao-prod',
};
const labels = {
  kubernetes_cluster: 'kind-east',
  namespace: 'openbao',
  cluster: 'bao-prod',
  otel_scope_name: 'openbao-backup',
};

describe('startPrometheusMetrics', () => {
  const logs: string[] = [];
  const log: MetricsLog = (level, message) => logs.push(`${level} ${message}`);
  beforeEach(() => logs.splice(0));

  it('serves the metrics BackupMetrics records, named and typed the Prometheus way and as documented', async () => {
    const port = await freePort();
    const metrics = startPrometheusMetrics({ host: '127.0.0.1', port }, log);
    try {
      expect(await metrics.listening).toBe(true);
      expect(logs).toEqual([
        `info metrics: Prometheus metrics served on http://127.0.0.1:${port}/metrics`,
      ]);

      const backup = BackupMetrics.create();
      backup.observeCluster(
        ref,
        {
          lastBackupTime: '2024-05-01T10:00:00Z',
          lastAttemptTime: '2024-05-01T11:00:00Z',
          lastBackupSize: 123456,
          lastBackupDuration: 4.5,
          consecutiveFailures: 2,
        },
        3600,
      );
      backup.countRun(ref, 'succeeded');
      backup.countRun(ref, 'failed');
      backup.countRun(ref, 'failed');
      backup.countRetention(ref, {
        applies: true,
        deleted: ['a', 'b', 'c'],
        bytesFreed: 4096,
        errors: [{ key: 'd', message: 'AccessDenied' }],
        abortedUploads: 1,
      });

      const response = await fetch(metrics.url);
      expect(response.status).toBe(200);
      const text = await response.text();
      const { families, samples } = parseExposition(text);
      const values = (name: string) =>
        samples.filter(s => s.name === name).map(s => [s.labels, s.value]);

      expect(values('openbao_backup_last_success_timestamp_seconds')).toEqual([
        [labels, Date.parse('2024-05-01T10:00:00Z') / 1000],
      ]);
      expect(values('openbao_backup_last_attempt_timestamp_seconds')).toEqual([
        [labels, Date.parse('2024-05-01T11:00:00Z') / 1000],
      ]);
      expect(values('openbao_backup_last_size_bytes')).toEqual([
        [labels, 123456],
      ]);
      expect(values('openbao_backup_last_duration_seconds')).toEqual([
        [labels, 4.5],
      ]);
      expect(values('openbao_backup_consecutive_failures')).toEqual([
        [labels, 2],
      ]);
      expect(values('openbao_backup_expected_interval_seconds')).toEqual([
        [labels, 3600],
      ]);
      expect(values('openbao_backup_runs_total')).toEqual([
        [{ ...labels, result: 'succeeded' }, 1],
        [{ ...labels, result: 'failed' }, 2],
      ]);
      expect(values('openbao_backup_retention_deleted_total')).toEqual([
        [labels, 3],
      ]);
      expect(values('openbao_backup_retention_freed_bytes_total')).toEqual([
        [labels, 4096],
      ]);
      expect(values('openbao_backup_retention_errors_total')).toEqual([
        [labels, 1],
      ]);
      expect(values('openbao_backup_orphan_uploads_aborted_total')).toEqual([
        [labels, 1],
      ]);
      // The resource, as target_info.
      expect(samples.find(s => s.name === 'target_info')?.labels).toMatchObject(
        {
          service_name: 'backstage',
        },
      );

      // Every plugin metric: documented with its type, a valid name, counters end in _total,
      // units are base units spelled as the suffix.
      const served = Object.fromEntries(
        [...families]
          .filter(([name]) => name.startsWith('openbao_backup_'))
          .map(([name, f]) => [name, f.type]),
      );
      expect(served).toEqual(documentedMetrics());
      const suffixOf: Record<string, RegExp> = {
        s: /_seconds(_total)?$/,
        By: /_bytes(_total)?$/,
        '1': /^(?!.*_(seconds|bytes)(_total)?$)/,
      };
      const problems = [...families]
        .filter(([name]) => name.startsWith('openbao_backup_'))
        .flatMap(([name, { type, unit }]) => [
          ...(/^[a-z_][a-z0-9_]*$/.test(name) ? [] : [`${name}: invalid`]),
          ...(name.endsWith('_total') === (type === 'counter')
            ? []
            : [`${name}: ${type} and _total`]),
          ...(!unit || suffixOf[unit]?.test(name)
            ? []
            : [`${name}: unit ${unit} without its suffix`]),
        ]);
      expect(problems).toEqual([]);
    } finally {
      await metrics.shutdown();
    }
  });

  it('logs and leaves the backend running when the port is taken', async () => {
    const busy = net.createServer();
    await new Promise<void>(resolve => busy.listen(0, '127.0.0.1', resolve));
    const { port } = busy.address() as net.AddressInfo;
    const metrics = startPrometheusMetrics({ host: '127.0.0.1', port }, log);
    try {
      expect(await metrics.listening).toBe(false);
      expect(logs).toEqual([
        expect.stringMatching(
          new RegExp(
            `^error metrics: cannot serve http://127\\.0\\.0\\.1:${port}/metrics: .*EADDRINUSE.*; set OTEL_EXPORTER_PROMETHEUS_PORT to a free port, or OTEL_METRICS_EXPORTER=none$`,
          ),
        ),
      ]);
    } finally {
      await metrics.shutdown();
      await new Promise(resolve => busy.close(resolve));
    }
  });
});

/**
 * The preload itself, as `backstage-cli package start --require ./src/instrumentation.ts` runs it
 * (its TypeScript loader first): a fresh node process whose script only uses @opentelemetry/api.
 */
describe('instrumentation.ts preloaded with node --require', () => {
  const INSTRUMENTATION = path.resolve(__dirname, '../instrumentation.ts');
  const NODE_TRANSFORM = require.resolve(
    '@backstage/cli-node/config/nodeTransform.cjs',
  );

  function runNode(env: Record<string, string>, script: string) {
    const child = spawn(
      process.execPath,
      ['--require', NODE_TRANSFORM, '--require', INSTRUMENTATION, '-e', script],
      { env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] },
    );
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', d => (stdout += d));
    child.stderr.on('data', d => (stderr += d));
    const exited = new Promise<number | null>(resolve =>
      child.on('exit', resolve),
    );
    return { child, exited, output: () => ({ stdout, stderr }) };
  }

  it('installs the exporter before the program runs; its counters are scraped from OTEL_EXPORTER_PROMETHEUS_PORT', async () => {
    const port = await freePort();
    // Records a counter, says so and stays up until killed.
    const run = runNode(
      {
        OTEL_EXPORTER_PROMETHEUS_HOST: '127.0.0.1',
        OTEL_EXPORTER_PROMETHEUS_PORT: String(port),
      },
      `const { metrics } = require('@opentelemetry/api');
       metrics.getMeter('openbao-backup').createCounter('openbao_backup_runs_total').add(3, { result: 'failed' });
       console.log('recorded');
       setInterval(() => {}, 1000);`,
    );
    try {
      // Recorded, and the exporter's server listens (it logs so once it does).
      const ready = () =>
        run.output().stdout.includes('recorded') &&
        run.output().stderr.includes('metrics served on');
      while (!ready()) {
        const code = await Promise.race([
          run.exited,
          new Promise(resolve => setTimeout(() => resolve('wait'), 100)),
        ]);
        if (code !== 'wait')
          throw new Error(`node exited: ${run.output().stderr}`);
      }
      const text = await (
        await fetch(`http://127.0.0.1:${port}/metrics`)
      ).text();
      expect(text).toContain(
        'openbao_backup_runs_total{result="failed",otel_scope_name="openbao-backup"} 3',
      );
      expect(
        JSON.parse(run.output().stderr.trim().split('\n')[0]),
      ).toMatchObject({
        level: 'info',
        message: `metrics: Prometheus metrics served on http://127.0.0.1:${port}/metrics`,
      });
    } finally {
      run.child.kill();
      await run.exited;
    }
  });

  it('installs nothing with OTEL_METRICS_EXPORTER=none, and fails fast on a bad port', async () => {
    const providerName = `console.log(require('@opentelemetry/api').metrics.getMeterProvider().constructor.name)`;
    const off = runNode({ OTEL_METRICS_EXPORTER: 'none' }, providerName);
    expect(await off.exited).toBe(0);
    expect(off.output().stdout.trim()).toBe('NoopMeterProvider');
    expect(JSON.parse(off.output().stderr.trim())).toMatchObject({
      level: 'info',
      message: 'metrics: not exported (OTEL_METRICS_EXPORTER=none)',
    });

    const bad = runNode(
      { OTEL_EXPORTER_PROMETHEUS_PORT: 'http' },
      providerName,
    );
    expect(await bad.exited).not.toBe(0);
    expect(bad.output().stderr).toContain(
      'OTEL_EXPORTER_PROMETHEUS_PORT=http: expected a TCP port number 1-65535',
    );
  });
});
