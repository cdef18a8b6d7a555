// Opens the demo in headless Chromium, signs in as guest and saves screenshots of the Backups
// tab and the fleet page. Usage: node e2e/screenshot.mjs <outdir> (demo running on :3000).
import { launchBrowser } from './browser.mjs';

const out = process.argv[2] ?? '.';
const base = process.env.APP_URL ?? 'http://localhost:3000';
const browser = await launchBrowser();
const page = await browser.newPage({ viewport: { width: 1400, height: 1100 } });
// The guest session lives in the page: sign in on the page we want, then navigate in-app.
await page.goto(`${base}/catalog/default/component/secrets-platform/backups`);
const enter = page.getByRole('button', { name: /enter/i });
await enter.waitFor({ timeout: 30000 });
await enter.click();
await page
  .getByText('bao-prod')
  .first()
  .waitFor({ timeout: 30000 })
  .catch(async e => {
    await page.screenshot({ path: `${out}/error.png`, fullPage: true });
    throw e;
  });
await page.waitForTimeout(3000);
await page.screenshot({ path: `${out}/backups-tab.png`, fullPage: true });
await page
  .getByRole('link', { name: /OpenBao Backups/i })
  .first()
  .click();
await page.getByText('bao-staging').first().waitFor({ timeout: 30000 });
await page.waitForTimeout(2000);
await page.screenshot({ path: `${out}/fleet-page.png`, fullPage: true });
await browser.close();
process.stdout.write(`screenshots written to ${out}\n`);
