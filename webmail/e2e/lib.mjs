// Shared by the end-to-end scripts: Debian's Chromium driven by playwright-core (no browser download), and a
// JSON report on stdout that WebmailIT reads.
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { chromium } from 'playwright-core';

export const CHROMIUM = process.env.CHROMIUM ?? '/usr/bin/chromium';

export class SetupError extends Error {}

export function env(name, fallback) {
  const value = process.env[name] ?? fallback;
  if (value === undefined || value === '') throw new SetupError(`environment variable ${name} is not set`);
  return value;
}

export async function launch() {
  if (!existsSync(CHROMIUM)) {
    throw new SetupError(`no Chromium at ${CHROMIUM}: install it (apt-get install -y chromium) or set CHROMIUM`);
  }
  return chromium.launch({
    executablePath: CHROMIUM,
    headless: true,
    args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--disable-dev-shm-usage'],
  });
}

/** A browser context on the server under test: its self-signed certificate accepted, English unless told. */
export async function newContext(browser, options = {}) {
  return browser.newContext({
    ignoreHTTPSErrors: true,
    locale: options.locale ?? 'en-GB',
    viewport: options.viewport ?? { width: 1280, height: 800 },
    ...(options.isMobile ? { isMobile: true, hasTouch: true, deviceScaleFactor: 2 } : {}),
  });
}

export async function signIn(page, baseUrl, user, password) {
  await page.goto(`${baseUrl}/webmail/`);
  await page.getByLabel(/^(Email address|Indirizzo email)$/).fill(user);
  await page.getByLabel('Password').fill(password);
  await page.getByRole('button', { name: /^(Sign in|Accedi)$/ }).click();
  await page.getByRole('listbox').waitFor({ timeout: 30_000 });
}

export function check(condition, message) {
  if (!condition) throw new Error(message);
}

/**
 * Runs named steps in order, each timed; the first failure stops the run (later steps depend on earlier ones).
 * Prints {"ok", "steps": [{name, ok, ms, error}], ...extra} and exits 0 only when every step passed.
 */
export async function run(title, body) {
  const report = { title, ok: false, steps: [] };
  let browser;
  const watched = [];
  // pages whose screenshot is kept (in $E2E_ARTIFACTS) when a step fails
  const watch = (page) => watched.push(page);
  const step = async (name, fn) => {
    const started = Date.now();
    try {
      const value = await fn();
      report.steps.push({ name, ok: true, ms: Date.now() - started });
      return value;
    } catch (error) {
      const failed = { name, ok: false, ms: Date.now() - started, error: String(error?.stack ?? error) };
      report.steps.push(failed);
      if (process.env.E2E_ARTIFACTS) {
        failed.screenshots = [];
        for (const [index, page] of watched.entries()) {
          const path = join(process.env.E2E_ARTIFACTS, `${title}-${report.steps.length}-${index}.png`.replace(/[^\w.-]+/g, '-'));
          if (await page.screenshot({ path }).then(() => true, () => false)) failed.screenshots.push(path);
        }
      }
      throw error;
    }
  };
  let code = 1;
  try {
    browser = await launch();
    report.browser = browser.version();
    await body({ browser, step, report, watch });
    report.ok = report.steps.every((s) => s.ok);
    code = report.ok ? 0 : 1;
  } catch (error) {
    if (error instanceof SetupError) {
      report.setupError = error.message;
      code = 3;
    } else if (!report.steps.some((s) => !s.ok)) {
      report.error = String(error?.stack ?? error);
    }
  } finally {
    if (browser) await browser.close().catch(() => {});
  }
  process.stdout.write(JSON.stringify(report) + '\n');
  process.exit(code);
}
