// The README's screenshots: the inbox and the reading pane, desktop (1280x800) and phone (375x812).
//
// Environment: BASE_URL, USER1/PASS1, SCREENSHOT_DIR (where webmail-{inbox,message}-{desktop,phone}.png go),
// OPEN_SUBJECT (the message shown in the reading pane), SCREENSHOT_LANG (default it).
import { join } from 'node:path';
import { env, newContext, run, signIn } from './lib.mjs';

const base = env('BASE_URL');
const user = env('USER1');
const password = env('PASS1');
const dir = env('SCREENSHOT_DIR');
const subject = env('OPEN_SUBJECT');
const lang = process.env.SCREENSHOT_LANG ?? 'it';
const locale = lang === 'it' ? 'it-IT' : 'en-GB';

const sizes = [
  { name: 'desktop', viewport: { width: 1280, height: 800 } },
  { name: 'phone', viewport: { width: 375, height: 812 }, isMobile: true },
];

await run('webmail screenshots', async ({ browser, step, report, watch }) => {
  report.files = [];
  for (const size of sizes) {
    const context = await newContext(browser, { viewport: size.viewport, isMobile: size.isMobile, locale });
    const page = await context.newPage();
    watch(page);
    await step(`${size.name}: inbox`, async () => {
      await signIn(page, base, user, password);
      await page.locator('#message-list [role=option]').first().waitFor();
      await page.locator('#message-list').focus();
      const file = join(dir, `webmail-inbox-${size.name}.png`);
      await page.screenshot({ path: file });
      report.files.push(file);
    });
    await step(`${size.name}: reading pane`, async () => {
      await page.locator('#message-list [role=option]').filter({ hasText: subject }).click();
      await page.frameLocator('iframe.message-frame').locator('body').waitFor();
      await page.waitForTimeout(300);
      const file = join(dir, `webmail-message-${size.name}.png`);
      await page.screenshot({ path: file });
      report.files.push(file);
    });
    await context.close();
  }
});
