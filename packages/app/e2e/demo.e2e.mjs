// End-to-end check of the running demo in a real browser (headless Chromium): a scheduled backup
// of bao-prod is visible on its Backups tab, "Back up now" runs a manual backup to the end, and
// the fleet page shows the failing cluster. Exits non-zero with the reason on any failure and
// leaves a screenshot of the page it failed on. Usage: node e2e/demo.e2e.mjs <outdir>
import { launchBrowser } from './browser.mjs';

const out = process.argv[2] ?? '.';
const base = process.env.APP_URL ?? 'http://localhost:3000';
const browser = await launchBrowser();
const page = await browser.newPage({ viewport: { width: 1400, height: 1100 } });
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

await step('guest sign-in lands on the Backups tab', async () => {
  await page.goto(`${base}/catalog/default/component/secrets-platform/backups`);
  await page.getByRole('button', { name: /enter/i }).click({ timeout: 60_000 });
  await page.getByText('openbao/bao-prod').first().waitFor({ timeout: 60_000 });
});

await step(
  'a scheduled backup of bao-prod shows up within two minutes',
  async () => {
    // The page polls only while a run is active: reload until the run history shows a success
    // (the bucket may hold keys of an earlier demo, so a listed key alone proves nothing).
    const succeeded = () =>
      page.locator('td', { hasText: 'Succeeded' }).first();
    const deadline = Date.now() + 120_000;
    while (!(await succeeded().isVisible())) {
      if (Date.now() > deadline)
        throw new Error('no successful run after 120 s');
      await page.waitForTimeout(5000);
      await page.reload();
      await page
        .getByText('openbao/bao-prod')
        .first()
        .waitFor({ timeout: 60_000 });
    }
    await page
      .getByText(/^openbao\/openbao\/bao-prod\/.*\.snap$/)
      .first()
      .waitFor();
  },
);

const SNAP = /^openbao\/openbao\/bao-prod\/.*\.snap$/;
const snapKeys = async () =>
  new Set(await page.getByText(SNAP).allTextContents());

await step(
  '"Back up now" asks for a reason, runs a manual backup to the end, lists the new snapshot',
  async () => {
    const before = await snapKeys();
    await page.getByRole('button', { name: /Back up .*bao-prod now/ }).click();
    await page.getByLabel(/Reason/).fill('end-to-end test');
    await page.getByRole('button', { name: 'Start backup' }).click();
    await page
      .getByText(/Backup of .*bao-prod finished/)
      .waitFor({ timeout: 90_000 });
    await page.getByText('manual').first().waitFor({ timeout: 30_000 });
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
    const deadline = Date.now() + 150_000;
    // (the health filter's hidden options also say "Failing": look in the table only)
    while (
      !(await page.locator('td', { hasText: 'Failing' }).first().isVisible())
    ) {
      if (Date.now() > deadline)
        throw new Error('bao-staging not Failing after 150 s');
      await page.waitForTimeout(5000);
      await page.reload();
      await page
        .getByText('openbao-staging/bao-staging')
        .first()
        .waitFor({ timeout: 60_000 });
    }
    await page.getByText('openbao-staging/bao-upgrading').first().waitFor();
    await page.screenshot({ path: `${out}/fleet-page.png`, fullPage: true });
  },
);

await browser.close();
