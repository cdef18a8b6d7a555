// End-to-end check of the running demo through its three faces: headless Chromium (the Backups
// tab and the fleet page), the backend REST API as the signed-in guest, and the S3 bucket. A
// scheduled backup of bao-prod shows up and its object matches its status byte for byte; a
// manual backup triggered through the API runs to success and shows on the entity page; "Back
// up now" in the page does the same; the fleet page shows the failing cluster, both Kubernetes
// clusters and both owning teams; the upgrading cluster's page says why it is skipped, and its
// "Back up now" shows the refusal. Each step prints
// `ok - ` or `not ok - `; the first failure ends the run with a screenshot of the page.
// Usage: node e2e/demo.e2e.mjs <outdir>, with APP_URL, BACKEND_URL, S3_ENDPOINT, S3_BUCKET
// (scripts/e2e.sh reads them from the demo's demo.env).
import { createHash } from 'node:crypto';
import { gunzipSync } from 'node:zlib';
import {
  GetObjectCommand,
  HeadObjectCommand,
  S3Client,
} from '@aws-sdk/client-s3';
import { extract } from 'tar-stream';
import { launchBrowser } from './browser.mjs';

const out = process.argv[2] ?? '.';
const base = process.env.APP_URL ?? 'http://localhost:3000';
const backend = process.env.BACKEND_URL ?? 'http://localhost:7007';
const bucket = process.env.S3_BUCKET ?? 'openbao-backups';
const s3 = new S3Client({
  endpoint: process.env.S3_ENDPOINT ?? 'http://127.0.0.1:8080',
  region: 'us-east-1',
  forcePathStyle: true,
  credentials: { accessKeyId: 'test:tester', secretAccessKey: 'testing' },
  requestChecksumCalculation: 'WHEN_REQUIRED',
  responseChecksumValidation: 'WHEN_REQUIRED',
});
const PROD = '/clusters/kind-east/openbao/bao-prod';
const STAGING = '/clusters/kind-west/openbao-staging/bao-staging';
const UPGRADING = '/clusters/kind-west/openbao-staging/bao-upgrading';
const TAB = `${base}/catalog/default/component/secrets-platform/backups`;

const browser = await launchBrowser();
const page = await browser.newPage({ viewport: { width: 1400, height: 1100 } });
// The signed-in guest's Backstage token, as the page sends it to the backend.
let token;
page.on('request', r => {
  const auth = r.headers().authorization;
  if (auth?.startsWith('Bearer ') && r.url().startsWith(backend)) token = auth;
});

const step = async (name, fn) => {
  try {
    await fn();
    process.stdout.write(`ok - ${name}\n`);
  } catch (e) {
    await page
      .screenshot({ path: `${out}/e2e-failure.png`, fullPage: true })
      .catch(() => {});
    process.stdout.write(`not ok - ${name}: ${e.message.split('\n')[0]}\n`);
    await browser.close();
    process.exit(1);
  }
};
const check = (ok, message) => {
  if (!ok) throw new Error(message);
};
const sha256 = bytes => createHash('sha256').update(bytes).digest('hex');
const sleep = ms => new Promise(r => setTimeout(r, ms));

/** The backend REST API as the signed-in user (or anonymous with `{ anonymous: true }`). */
async function api(method, path, body, { anonymous = false } = {}) {
  const res = await fetch(`${backend}/api/openbao-backup${path}`, {
    method,
    headers: {
      ...(anonymous ? {} : { authorization: token }),
      ...(body ? { 'content-type': 'application/json' } : {}),
    },
    body: body ? JSON.stringify(body) : undefined,
  });
  return { status: res.status, json: await res.json().catch(() => undefined) };
}
async function prodDetail() {
  const r = await api('GET', PROD);
  check(r.status === 200, `GET ${PROD} answered ${r.status}`);
  return r.json;
}

/** The files of a gzip'd tar, by name. */
async function untar(gz) {
  const files = {};
  const ex = extract();
  const done = new Promise((resolve, reject) => {
    ex.on('entry', (header, stream, next) => {
      const chunks = [];
      stream.on('data', c => chunks.push(c));
      stream.on('end', () => {
        files[header.name.replace(/^\.\//, '')] = Buffer.concat(chunks);
        next();
      });
    });
    ex.on('finish', resolve);
    ex.on('error', reject);
  });
  ex.end(gunzipSync(gz));
  await done;
  return files;
}

/** Reloads the page until `visible()` holds or the time is up (pages poll only while a run is active). */
async function reloadUntil(
  visible,
  seconds,
  what,
  anchor = 'openbao/bao-prod',
) {
  const deadline = Date.now() + seconds * 1000;
  while (!(await visible())) {
    if (Date.now() > deadline) throw new Error(`${what} after ${seconds} s`);
    await page.waitForTimeout(3000);
    await page.reload();
    await page.getByText(anchor).first().waitFor({ timeout: 60_000 });
  }
}
/** Waits (up to 20 s) until no table is loading any more, so that a screenshot shows data. */
async function settled() {
  const until = Date.now() + 20_000;
  while (
    (await page.getByRole('progressbar').count()) > 0 &&
    Date.now() < until
  )
    await sleep(500);
}
const runRow = jobName =>
  page.locator('tr', { has: page.getByText(jobName, { exact: true }) });

await step('guest sign-in lands on the Backups tab', async () => {
  await page.goto(TAB);
  await page.getByRole('button', { name: /enter/i }).click({ timeout: 60_000 });
  await page.getByText('openbao/bao-prod').first().waitFor({ timeout: 60_000 });
  check(token, 'the page sent no Backstage token to the backend');
});

await step(
  'a scheduled backup of bao-prod shows up within two minutes',
  async () => {
    // The page polls only while a run is active: reload until the run history shows a success
    // (the bucket may hold keys of an earlier demo, so a listed key alone proves nothing).
    await reloadUntil(
      () => page.locator('td', { hasText: 'Succeeded' }).first().isVisible(),
      120,
      'no successful run',
    );
    await page
      .getByText(/^openbao\/openbao\/bao-prod\/.*\.snap$/)
      .first()
      .waitFor();
  },
);

await step(
  'the backup in S3 matches its status: bytes, SHA-256, metadata, verified state checksum',
  async () => {
    // The run history reads the Job; status.backup is written by the reconciler's next pass
    // after it sees the Job end, so give it a few seconds to catch up.
    let b;
    let run;
    for (const until = Date.now() + 15_000; ; await sleep(1000)) {
      const detail = await prodDetail();
      const backup = detail.backup ?? {};
      b = backup;
      run = detail.runs.find(r => r.key === backup.lastBackupName);
      if (run?.phase === 'Succeeded') break;
      if (Date.now() > until)
        throw new Error(
          `status.backup.lastBackupName is ${b.lastBackupName}, no succeeded run wrote it`,
        );
    }
    const object = await s3.send(
      new GetObjectCommand({ Bucket: bucket, Key: b.lastBackupName }),
    );
    const bytes = Buffer.from(await object.Body.transformToByteArray());
    check(
      bytes.length === b.lastBackupSize && bytes.length === run.size,
      `object has ${bytes.length} bytes, status says ${b.lastBackupSize}, run ${run.size}`,
    );
    check(
      sha256(bytes) === b.lastBackupSha256,
      `object SHA-256 ${sha256(bytes)} != status ${b.lastBackupSha256}`,
    );
    // docs/contract.md §4: the metadata names the cluster, its Raft position and the state checksum.
    const { Metadata: m = {} } = await s3.send(
      new HeadObjectCommand({ Bucket: bucket, Key: b.lastBackupName }),
    );
    const expected = {
      'openbao-cluster': 'bao-prod',
      'openbao-namespace': 'openbao',
      'openbao-raft-index': String(b.lastBackupRaftIndex),
      'openbao-raft-term': String(b.lastBackupRaftTerm),
    };
    for (const [k, v] of Object.entries(expected))
      check(m[k] === v, `metadata ${k} is ${m[k]}, expected ${v}`);
    check(m['executor-version'], 'metadata executor-version is missing');
    // Recompute the snapshot's own checksums from the downloaded bytes.
    const files = await untar(bytes);
    const sums = Object.fromEntries(
      files.SHA256SUMS.toString()
        .trim()
        .split('\n')
        .map(line => line.split(/\s+\*?/).reverse()),
    );
    for (const name of ['meta.json', 'state.bin'])
      check(
        sha256(files[name]) === sums[name],
        `${name} does not match SHA256SUMS`,
      );
    check(
      m['openbao-state-sha256'] === sha256(files['state.bin']),
      `metadata openbao-state-sha256 ${m['openbao-state-sha256']} != state.bin's SHA-256`,
    );
    const meta = JSON.parse(files['meta.json']);
    check(
      meta.Index === b.lastBackupRaftIndex &&
        meta.Term === b.lastBackupRaftTerm,
      `meta.json says index ${meta.Index} term ${meta.Term}`,
    );
  },
);

let apiRun;
await step(
  'a manual backup triggered through the REST API as the signed-in guest runs to success',
  async () => {
    const anonymous = await api(
      'POST',
      `${PROD}/trigger`,
      { reason: 'x' },
      { anonymous: true },
    );
    check(
      anonymous.status === 401,
      `an anonymous trigger answered ${anonymous.status}`,
    );
    const before = new Set((await prodDetail()).runs.map(r => r.jobName));
    let triggerId;
    const deadline = Date.now() + 60_000;
    while (!triggerId) {
      const r = await api('POST', `${PROD}/trigger`, {
        reason: 'end-to-end test (REST API)',
      });
      if (r.status === 202) triggerId = r.json.triggerId;
      // 409 while a scheduled run is active: try again when it has ended.
      else if (r.status !== 409 || Date.now() > deadline)
        throw new Error(
          `trigger answered ${r.status} ${JSON.stringify(r.json)}`,
        );
      else await sleep(2000);
    }
    let detail;
    for (const until = Date.now() + 90_000; ; await sleep(2000)) {
      detail = await prodDetail();
      const b = detail.backup ?? {};
      if (b.observedTrigger === triggerId && !b.activeJob) break;
      if (Date.now() > until)
        throw new Error(`run of ${triggerId} not finished after 90 s`);
    }
    apiRun = detail.runs.find(
      r => r.trigger === 'manual' && !before.has(r.jobName),
    );
    check(apiRun, 'no new manual run in the API');
    check(
      apiRun.phase === 'Succeeded',
      `the manual run is ${apiRun.phase}: ${apiRun.message}`,
    );
    await s3.send(new HeadObjectCommand({ Bucket: bucket, Key: apiRun.key }));
  },
);

await step(
  'the API-triggered run shows on the entity page as manual and Succeeded',
  async () => {
    await page.reload();
    await page
      .getByText('openbao/bao-prod')
      .first()
      .waitFor({ timeout: 60_000 });
    await reloadUntil(
      () => runRow(apiRun.jobName).first().isVisible(),
      30,
      `no row for ${apiRun.jobName}`,
    );
    const row = await runRow(apiRun.jobName).first().innerText();
    check(/manual/.test(row) && /Succeeded/.test(row), `its row reads: ${row}`);
    await settled();
    await page.screenshot({ path: `${out}/backups-tab.png`, fullPage: true });
  },
);

const SNAP = /^openbao\/openbao\/bao-prod\/.*\.snap$/;
const snapKeys = async () =>
  new Set(await page.getByText(SNAP).allTextContents());

await step(
  '"Back up now" asks for a reason, runs a manual backup to the end, lists the new snapshot',
  async () => {
    const before = await snapKeys();
    const runsBefore = new Set((await prodDetail()).runs.map(r => r.jobName));
    await page.getByRole('button', { name: /Back up .*bao-prod now/ }).click();
    await page.getByLabel(/Reason/).fill('end-to-end test');
    await page.getByRole('button', { name: 'Start backup' }).click();
    await page
      .getByText(/Backup of .*bao-prod finished/)
      .waitFor({ timeout: 90_000 });
    const run = (await prodDetail()).runs.find(
      r => r.trigger === 'manual' && !runsBefore.has(r.jobName),
    );
    check(
      run?.phase === 'Succeeded',
      `the new manual run is ${run?.phase ?? 'missing'}`,
    );
    // The snapshots table (reloaded with the page) lists a key it did not list before.
    await page.reload();
    await page.getByText(SNAP).first().waitFor({ timeout: 60_000 });
    const added = [...(await snapKeys())].filter(k => !before.has(k));
    if (added.length === 0)
      throw new Error('no new snapshot listed after Back up now');
  },
);

await step(
  'the fleet page shows every cluster, the failing one as Failing',
  async () => {
    await page
      .getByRole('link', { name: /OpenBao Backups/i })
      .first()
      .click();
    await page
      .getByText('openbao-staging/bao-staging')
      .first()
      .waitFor({ timeout: 60_000 });
    // bao-staging runs every 2 minutes with a JWT role OpenBao does not know: its first run fails.
    // (the health filter's hidden options also say "Failing": look in the table only)
    await reloadUntil(
      () => page.locator('td', { hasText: 'Failing' }).first().isVisible(),
      150,
      'bao-staging not Failing',
      'openbao-staging/bao-staging',
    );
    await page.getByText('openbao-staging/bao-upgrading').first().waitFor();
    await page.screenshot({ path: `${out}/fleet-page.png`, fullPage: true });
  },
);

await step(
  'the fleet page lists both Kubernetes clusters and both owning teams',
  async () => {
    // Each row names its Kubernetes cluster under the OpenBao cluster.
    for (const [kubernetesCluster, cluster] of [
      ['kind-east', 'openbao/bao-prod'],
      ['kind-west', 'openbao-staging/bao-staging'],
      ['kind-west', 'openbao-staging/bao-upgrading'],
    ]) {
      const row = await page
        .locator('tr', { has: page.getByText(cluster, { exact: true }) })
        .first()
        .innerText();
      check(
        row.includes(kubernetesCluster),
        `the row of ${cluster} does not name ${kubernetesCluster}: ${row}`,
      );
    }
    const owners = await page
      .getByLabel('Owner')
      .locator('option')
      .allTextContents();
    check(
      JSON.stringify(owners) ===
        JSON.stringify(['All', 'platform', 'security']),
      `the owner filter offers ${JSON.stringify(owners)}`,
    );
    await page.getByLabel('Owner').selectOption({ label: 'security' });
    await page
      .locator('tr', { hasText: 'openbao/bao-prod' })
      .first()
      .waitFor({ state: 'detached' });
    await page.getByLabel('Owner').selectOption({ label: 'All' });
  },
);

await step(
  'the secrets-staging tab says why bao-staging fails and shows bao-upgrading never backed up',
  async () => {
    const r = await api('GET', STAGING);
    const reason = r.json?.backup?.lastFailureReason;
    check(
      reason,
      `bao-staging has no failure reason: ${JSON.stringify(r.json?.backup)}`,
    );
    await page.goto(
      `${base}/catalog/default/component/secrets-staging/backups`,
    );
    await page
      .getByText('openbao-staging/bao-upgrading')
      .first()
      .waitFor({ timeout: 60_000 });
    await page.getByText(reason.slice(0, 40)).first().waitFor();
  },
);

await step(
  'bao-upgrading says why it is skipped, and "Back up now" shows the refusal; no Job runs',
  async () => {
    // The page says it from the pre-flight check on the current state ...
    await page.getByText('Skipped: the cluster is upgrading').waitFor();
    await settled();
    await page.screenshot({ path: `${out}/staging-tab.png`, fullPage: true });
    // ... and the reconciler recorded the refused slot (*/2, passed while bao-staging failed).
    let detail;
    for (const until = Date.now() + 30_000; ; await sleep(2000)) {
      detail = (await api('GET', UPGRADING)).json;
      const backingUp = detail?.conditions?.find(c => c.type === 'BackingUp');
      if (backingUp?.reason === 'UpgradeInProgress') break;
      if (Date.now() > until)
        throw new Error(
          `no refused slot recorded: ${JSON.stringify(detail?.conditions)}`,
        );
    }
    check(
      detail.preflightRefusal?.reason === 'UpgradeInProgress',
      `preflightRefusal is ${JSON.stringify(detail.preflightRefusal)}`,
    );
    await page
      .getByRole('button', { name: /Back up .*bao-upgrading now/ })
      .click();
    await page.getByLabel(/Reason/).fill('end-to-end test (upgrading)');
    await page.getByRole('button', { name: 'Start backup' }).click();
    await page
      .getByRole('dialog')
      .getByText(/Backup not started: UpgradeInProgress/)
      .waitFor({ timeout: 30_000 });
    await page
      .getByRole('dialog')
      .screenshot({ path: `${out}/upgrading-refused.png` });
    await page.getByRole('button', { name: 'Cancel' }).click();
    const after = (await api('GET', UPGRADING)).json;
    check(
      after.runs.length === 0 && !after.backup?.observedTrigger,
      `bao-upgrading has runs or a trigger: ${JSON.stringify(after.runs)}`,
    );
  },
);

await browser.close();
