// Time to first inbox render of Postino's webmail in headless Chromium (bench/webmail.py runs it, once per phase).
//
// Debian's Chromium (/usr/bin/chromium, or $CHROMIUM) through npm playwright-core (never downloads a browser),
// launched as webmail/e2e/lib.mjs launches it. Environment:
//   BASE_URL    https://127.0.0.1:PORT (the JMAP/webmail listener)
//   BENCH_USER, BENCH_PASS
//   COLD, WARM  repetitions: COLD fresh browser contexts (empty cache, no cookie) that sign in; WARM reloads of
//               one signed-in context (cache and session cookie kept)
//   PLAYWRIGHT_CORE  folder of the playwright-core package (webmail/node_modules/playwright-core)
//   TIMEOUT_MS  per repetition (default 60000)
// Prints one JSON object on stdout: {ok, browser, cold: [...], warm: [...], errors: [...]}; exit 0 only when every
// repetition showed message rows, 3 when Chromium is missing.
//
// Every time comes from the page's own clock (performance.now(), 0 = navigation start) except total_ms (the driver's
// clock, from goto/reload to the first row seen by the driver, form filling by the driver included). A script added
// before any page script records: the sign-in form shown, the form's submit event, the first message row inserted
// into the listbox, and the frame after it (rAF, then a task: the rows have been painted by then).

import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';

const CHROMIUM = process.env.CHROMIUM ?? '/usr/bin/chromium';
const FLAGS = ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update',
  '--disable-sync', '--disable-dev-shm-usage'];

function need(name) {
  const value = process.env[name];
  if (!value) throw new Error(`environment variable ${name} is not set`);
  return value;
}

const MARKS = () => {
  const marks = {};
  window.__benchMarks = marks;
  const mark = (key) => { if (marks[key] === undefined) marks[key] = performance.now(); };
  document.addEventListener('submit', () => mark('submit'), true);
  const check = () => {
    if (marks.form === undefined && document.querySelector('input[type=password]')) mark('form');
    if (marks.rows === undefined && document.querySelector('[role=listbox] [role=option]')) {
      mark('rows');
      requestAnimationFrame(() => setTimeout(() => mark('rows_painted'), 0));
    }
  };
  new MutationObserver(check).observe(document, { subtree: true, childList: true });
};

// Resource entries of the page (no method in Resource Timing: the POST of sign-in is the session request that
// starts after the submit event).
async function timeline(page) {
  return page.evaluate(() => {
    const nav = performance.getEntriesByType('navigation')[0];
    const pick = (e) => ({ path: new URL(e.name).pathname, start: e.startTime, end: e.responseEnd, ms: e.duration });
    return {
      marks: { ...(window.__benchMarks ?? {}) },
      nav: nav ? { responseEnd: nav.responseEnd, domContentLoaded: nav.domContentLoadedEventEnd, load: nav.loadEventEnd } : null,
      paint: Object.fromEntries(performance.getEntriesByType('paint').map((e) => [e.name, e.startTime])),
      resources: performance.getEntriesByType('resource').map(pick),
      rows: document.querySelectorAll('[role=listbox] [role=option]').length,
    };
  });
}

function jmapSummary(resources, after) {
  const calls = resources.filter((r) => r.start >= after && (r.path === '/jmap' || r.path === '/jmap/session'));
  const end = calls.reduce((m, r) => Math.max(m, r.end), after);
  return { jmap_requests: calls.length, jmap_ms: calls.map((r) => Math.round(r.ms * 10) / 10), jmap_until_ms: end - after };
}

const round = (v) => (v === undefined || v === null ? null : Math.round(v * 10) / 10);

async function main() {
  const report = { ok: false, cold: [], warm: [], errors: [] };
  if (!existsSync(CHROMIUM)) {
    report.errors.push(`no Chromium at ${CHROMIUM}`);
    process.stdout.write(JSON.stringify(report) + '\n');
    process.exit(3);
  }
  const base = need('BASE_URL');
  const user = need('BENCH_USER');
  const pass = need('BENCH_PASS');
  const cold = Number(process.env.COLD ?? 5);
  const warm = Number(process.env.WARM ?? 5);
  const timeout = Number(process.env.TIMEOUT_MS ?? 60000);
  const { chromium } = await import(pathToFileURL(join(need('PLAYWRIGHT_CORE'), 'index.mjs')).href);
  const browser = await chromium.launch({ executablePath: CHROMIUM, headless: true, args: FLAGS });
  report.browser = browser.version();
  const url = `${base}/webmail/`;
  const newContext = async () => {
    const context = await browser.newContext({ ignoreHTTPSErrors: true, locale: 'en-GB', viewport: { width: 1280, height: 800 } });
    await context.addInitScript(MARKS);
    return context;
  };
  const watch = (page, label) => {
    page.on('pageerror', (e) => report.errors.push(`${label}: page error: ${e.message}`));
    page.on('response', (r) => {
      if (r.status() >= 400 && !(r.status() === 401 && r.request().method() === 'GET' && r.url().endsWith('/webmail/api/session'))) {
        report.errors.push(`${label}: HTTP ${r.status()} for ${r.request().method()} ${new URL(r.url()).pathname}`);
      }
    });
  };
  const firstRow = (page) => page.locator('[role=listbox] [role=option]').first().waitFor({ timeout });
  const signIn = async (page) => {
    await page.getByLabel(/^(Email address|Indirizzo email)$/).fill(user);
    await page.getByLabel('Password').fill(pass);
    await page.getByRole('button', { name: /^(Sign in|Accedi)$/ }).click();
  };
  try {
    for (let i = 0; i < cold; i++) {
      const context = await newContext();
      const page = await context.newPage();
      watch(page, `cold ${i}`);
      try {
        const t0 = performance.now();
        await page.goto(url, { waitUntil: 'commit', timeout });
        await signIn(page);
        await firstRow(page);
        const total = performance.now() - t0;
        await page.waitForFunction(() => window.__benchMarks?.rows_painted !== undefined, null, { timeout });
        const t = await timeline(page);
        const m = t.marks;
        const signin = t.resources.find((r) => r.path === '/webmail/api/session' && r.start >= m.submit);
        const jmap = jmapSummary(t.resources, m.submit);
        report.cold.push({
          total_ms: round(total),
          // what the server and the page take, without the driver's typing: page shown + submit to rows
          render_ms: round(m.form + (m.rows_painted - m.submit)),
          nav_to_form_ms: round(m.form),
          first_contentful_paint_ms: round(t.paint['first-contentful-paint']),
          signin_request_ms: round(signin?.ms),
          submit_to_rows_ms: round(m.rows - m.submit),
          submit_to_rows_painted_ms: round(m.rows_painted - m.submit),
          ...jmap,
          rows: t.rows,
        });
        if (!signin) report.errors.push(`cold ${i}: no sign-in request seen`);
        if (!(t.rows > 0)) report.errors.push(`cold ${i}: no message rows`);
      } catch (e) {
        report.errors.push(`cold ${i}: ${e.message}`);
      } finally {
        await context.close().catch(() => {});
      }
      if (report.errors.length > 0) break; // one failure says it: no point waiting out the others' timeouts
    }
    if (report.errors.length === 0) {
      const context = await newContext();
      const page = await context.newPage();
      watch(page, 'warm');
      try {
        await page.goto(url, { timeout });
        await signIn(page);
        await firstRow(page);
        for (let i = 0; i < warm; i++) {
          const t0 = performance.now();
          await page.reload({ waitUntil: 'commit', timeout });
          await firstRow(page);
          const total = performance.now() - t0;
          await page.waitForFunction(() => window.__benchMarks?.rows_painted !== undefined, null, { timeout });
          const t = await timeline(page);
          const m = t.marks;
          const check = t.resources.find((r) => r.path === '/webmail/api/session');
          report.warm.push({
            total_ms: round(total),
            render_ms: round(m.rows_painted),
            nav_to_rows_ms: round(m.rows),
            nav_response_end_ms: round(t.nav?.responseEnd),
            first_contentful_paint_ms: round(t.paint['first-contentful-paint']),
            session_check_ms: round(check?.ms),
            ...jmapSummary(t.resources, 0),
            signed_out: m.form !== undefined,
            rows: t.rows,
          });
          if (m.form !== undefined) report.errors.push(`warm ${i}: the reload showed the sign-in form`);
          if (!(t.rows > 0)) report.errors.push(`warm ${i}: no message rows`);
        }
      } catch (e) {
        report.errors.push(`warm: ${e.message}`);
      } finally {
        await context.close().catch(() => {});
      }
    }
  } finally {
    await browser.close().catch(() => {});
  }
  report.ok = report.errors.length === 0 && report.cold.length === cold && report.warm.length === warm;
  process.stdout.write(JSON.stringify(report) + '\n');
  process.exit(report.ok ? 0 : 1);
}

main().catch((e) => {
  process.stdout.write(JSON.stringify({ ok: false, cold: [], warm: [], errors: [String(e?.stack ?? e)] }) + '\n');
  process.exit(1);
});
