// End-to-end: hostile messages (e2e/hostile/*, delivered over SMTP by WebmailIT) opened in the webmail run no
// script, make no request to a tripwire, open no dialog, navigate nothing. The tripwires are proved live twice:
// by calls made on purpose on the webmail page, and by rendering every corpus file raw in an unprotected page,
// where each must trip at least one (see e2e/hostile/README.md).
//
// Environment: BASE_URL, USER1/PASS1 (whose inbox holds the messages, subject "Hostile <file name>"),
// REQUIRE_SANITISED (default 1: the rendered documents must also be free of scripts, handlers, javascript: URLs,
// forms and meta refresh; 0 against a stand-in server that renders raw HTML).
import { readdirSync, readFileSync } from 'node:fs';
import { basename, extname, join } from 'node:path';
import { check, env, newContext, run, signIn } from './lib.mjs';

const base = env('BASE_URL');
const user = env('USER1');
const password = env('PASS1');
const requireSanitised = (process.env.REQUIRE_SANITISED ?? '1') !== '0';
const corpusDir = new URL('./hostile/', import.meta.url).pathname;
const corpus = readdirSync(corpusDir)
  .filter((file) => /^\d\d-.*\.(html|txt)$/.test(file))
  .sort()
  .map((file) => ({
    file,
    name: basename(file, extname(file)),
    marker: `HOSTILE-${file.slice(0, 2)}`,
    content: readFileSync(join(corpusDir, file), 'utf8'),
  }));

const TRIPWIRE = /tripwire/i;
/** what an attachment may be served as from the webmail's origin (an HTML or SVG attachment is not) */
const INERT_TYPES = ['application/octet-stream', 'text/plain', 'image/png', 'image/jpeg', 'image/gif', 'image/webp', 'application/pdf'];
const REMOTE_IMAGE = /^https:\/\/images\.invalid\//;

/**
 * A request the browser refused to make (the CSP or the sandbox stopped it in the page) never left it; Chromium
 * still reports it as a request that failed with this error.
 */
const BLOCKED_IN_PAGE = /^csp$|BLOCKED_BY_(CSP|CLIENT|RESPONSE)/i;

/** The tripwires of one browser context; every trip is recorded with what was open at the time. */
async function installTripwires(context) {
  const state = { trips: [], requests: [], current: 'none' };
  const trip = (kind, detail) => state.trips.push({ kind, detail: String(detail).slice(0, 300), during: state.current });
  await context.exposeBinding('postinoTrip', (source, id) => {
    const text = String(id);
    if (text.startsWith('postMessage|')) trip('postMessage', text.slice('postMessage|'.length));
    else trip('binding', `${text} (frame ${source.frame?.url()})`);
  });
  await context.addInitScript(() => {
    if (window === window.top) {
      window.addEventListener('message', (event) => {
        if (String(event.data).startsWith('postino-trip')) window.postinoTrip('postMessage|' + String(event.data));
      });
    }
  });
  // tripwire and remote-image requests, with how they ended: only those that left the page count
  context.on('request', (request) => {
    const url = request.url();
    if (TRIPWIRE.test(url) || REMOTE_IMAGE.test(url)) {
      state.requests.push({ request, url, method: request.method(), during: state.current, outcome: 'pending' });
    }
  });
  const settle = (request, outcome) => {
    const entry = state.requests.find((r) => r.request === request);
    if (entry) entry.outcome = outcome;
  };
  context.on('requestfinished', (request) => settle(request, 'sent'));
  context.on('requestfailed', (request) => {
    const error = request.failure()?.errorText ?? 'failed';
    settle(request, BLOCKED_IN_PAGE.test(error) ? `blocked in the page (${error})` : `sent (${error})`);
  });
  context.on('page', (page) => {
    page.on('dialog', (dialog) => {
      trip('dialog', `${dialog.type()}: ${dialog.message()}`);
      dialog.dismiss().catch(() => {});
    });
    page
      .opener()
      .then((opener) => {
        if (opener && state.watchPopups) {
          trip('popup', page.url());
          page.close().catch(() => {});
        }
      })
      .catch(() => {});
  });
  return state;
}

/** Waits (up to 1.5 s) for the label's requests to end, then turns those that left the page (or may have) into trips. */
async function settle(state, label) {
  const mine = () => state.requests.filter((r) => r.during === label);
  for (let i = 0; i < 15 && mine().some((r) => r.outcome === 'pending'); i++) await new Promise((resolve) => setTimeout(resolve, 100));
  for (const r of mine()) {
    if (TRIPWIRE.test(r.url) && !r.outcome.startsWith('blocked') && !r.counted) {
      r.counted = true;
      state.trips.push({ kind: 'request', detail: `${r.method} ${r.url} [${r.outcome}]`, during: label });
    }
  }
  return mine();
}

/** Renders one corpus file raw in a page of its own (no sanitiser, sandbox or CSP) and returns what it tripped. */
async function rawTrips(browser, item) {
  const context = await newContext(browser);
  try {
    const state = await installTripwires(context);
    state.watchPopups = true;
    const label = `raw:${item.name}`;
    state.current = label;
    const raw = await context.newPage();
    await raw.route('https://control.invalid/**', (route) =>
      new URL(route.request().url()).pathname === `/${item.name}`
        ? route.fulfill({ status: 200, contentType: 'text/html; charset=utf-8', body: item.content })
        : route.fulfill({ status: 404, body: '' }),
    );
    await raw.route(/tripwire\.invalid|images\.invalid/, (route) => route.fulfill({ status: 404, body: '' }));
    await raw.goto(`https://control.invalid/${item.name}`, { waitUntil: 'domcontentloaded', timeout: 10_000 }).catch(() => {});
    await exercise(raw, raw);
    await settle(state, label);
    return state.trips;
  } finally {
    await context.close().catch(() => {});
  }
}

/** Waits for timers the corpus sets, then clicks everything labelled "click me" in the given frame. */
async function exercise(root, page) {
  await page.waitForTimeout(400);
  const targets = root.getByText(/^click me/);
  const count = await targets.count().catch(() => 0);
  for (let i = 0; i < count; i++) {
    await targets
      .nth(i)
      .click({ timeout: 2000, noWaitAfter: true })
      .catch(() => {});
  }
  if (count > 0) await page.waitForTimeout(400);
  return count;
}

/** What the sanitiser must have removed, looked for in the rendered document (read from outside, not run in it). */
async function unsafeMarkup(frame) {
  return frame.locator('body').evaluate((body) => {
    const found = [];
    const doc = body.ownerDocument;
    for (const el of doc.querySelectorAll('*')) {
      const tag = el.localName;
      if (['script', 'iframe', 'frame', 'frameset', 'object', 'embed', 'applet', 'form', 'base', 'link', 'portal'].includes(tag)) {
        found.push(`<${tag}>`);
      }
      if (tag === 'meta' && el.getAttribute('http-equiv')) found.push(`<meta http-equiv=${el.getAttribute('http-equiv')}>`);
      for (const attr of el.attributes) {
        const value = attr.value.replace(/[\u0000-\u0020]/g, '').toLowerCase();
        if (/^on/i.test(attr.name)) found.push(`${tag}[${attr.name}]`);
        if (/^(javascript|vbscript|data:text)/.test(value) && /(href|src|action|data|formaction)$/i.test(attr.name)) {
          found.push(`${tag}[${attr.name}=${attr.value.slice(0, 40)}]`);
        }
        if (attr.name === 'style' && /(url\(|expression\(|behavior|binding)/i.test(attr.value)) found.push(`${tag}[style=${attr.value.slice(0, 60)}]`);
      }
      if (tag === 'style' && /(url\(|@import|expression\()/i.test(el.textContent)) found.push('<style> with url()/@import');
      if (tag === 'a' && el.getAttribute('href') && (el.getAttribute('target') !== '_blank' || !/noopener/.test(el.getAttribute('rel') ?? ''))) {
        found.push(`a[href] without target=_blank rel=noopener`);
      }
    }
    return found;
  });
}

await run('webmail hostile HTML', async ({ browser, step, report, watch }) => {
  const context = await newContext(browser);
  const state = await installTripwires(context);
  const page = await context.newPage();
  watch(page);
  report.items = [];
  const settleRequests = (label) => settle(state, label);
  const remoteImagesSent = (label) =>
    state.requests.filter((r) => r.during === label && REMOTE_IMAGE.test(r.url) && !r.outcome.startsWith('blocked'));
  const tripsOf = (label) => state.trips.filter((t) => t.during === label);

  const provePageTripwires = async (label) => {
    state.current = label;
    await page.evaluate(() => window.postinoTrip('control-binding'));
    await page.evaluate(() => window.postMessage('postino-trip:control', '*'));
    await page.evaluate(() => fetch('/tripwire/control').catch(() => {}));
    await page.evaluate(() => alert('postino-trip:control'));
    await settleRequests(label);
    const kinds = new Set(tripsOf(label).map((t) => t.kind));
    for (const kind of ['binding', 'postMessage', 'request', 'dialog']) {
      check(kinds.has(kind), `${label}: a deliberate ${kind} trip was not seen (${JSON.stringify(tripsOf(label))})`);
    }
    state.current = 'none';
  };

  await step('sign in', () => signIn(page, base, user, password));

  await step('positive control: deliberate trips on the webmail page are all seen', () => provePageTripwires('control-before'));

  await step('positive control: every corpus file trips when rendered raw, unprotected', async () => {
    const results = new Map();
    const queue = [...corpus];
    // four at a time, each in a browser context of its own
    await Promise.all(
      [1, 2, 3, 4].map(async () => {
        for (let item = queue.shift(); item; item = queue.shift()) results.set(item.name, await rawTrips(browser, item));
      }),
    );
    const missed = [];
    const kinds = new Set();
    for (const item of corpus) {
      const trips = results.get(item.name) ?? [];
      trips.forEach((t) => kinds.add(t.kind));
      report.items.push({ name: item.name, controlTrips: trips.length, controlKinds: [...new Set(trips.map((t) => t.kind))] });
      if (trips.length === 0) missed.push(item.name);
    }
    check(missed.length === 0, `corpus files that trip nothing even unprotected: ${missed.join(', ')}`);
    for (const kind of ['binding', 'postMessage', 'request', 'dialog']) {
      check(kinds.has(kind), `no corpus file trips the ${kind} tripwire unprotected`);
    }
  });

  await step('every hostile message is in the inbox', async () => {
    await page.bringToFront();
    await page.locator('#message-list:not([aria-busy="true"])').waitFor();
    const subjects = await page.locator('#message-list [role=option] .subject').allInnerTexts();
    const missing = corpus.filter((item) => !subjects.some((s) => s.includes(`Hostile ${item.name}`)));
    check(missing.length === 0, `not in the inbox: ${missing.map((m) => m.name).join(', ')}`);
  });

  state.watchPopups = true;
  for (const item of corpus) {
    // every message is tried even when one fails: the report lists them all
    await step(`${item.name}: opened in the webmail, nothing trips`, async () => {
      const label = `webmail:${item.name}`;
      const entry = report.items.find((i) => i.name === item.name);
      state.current = label;
      const startUrl = page.url();
      await page.locator('#message-list [role=option]').filter({ hasText: `Hostile ${item.name}` }).click();
      await page.getByRole('heading', { level: 2, name: `Hostile ${item.name}` }).waitFor();
      const frameElement = page.locator('iframe.message-frame');
      check((await frameElement.getAttribute('sandbox')) === 'allow-popups allow-popups-to-escape-sandbox', 'the frame sandbox');
      const frame = page.frameLocator('iframe.message-frame');
      await frame.locator('body').waitFor({ timeout: 15_000 });
      const text = await frame.locator('body').innerText();
      check(text.includes(item.marker), `the message is shown (${item.marker} in ${JSON.stringify(text.slice(0, 120))})`);
      entry.clicked = await exercise(frame, page);
      entry.unsafeMarkup = await unsafeMarkup(frame);
      // the attachment (the same file again) is offered as bytes to download, never as a page of this origin
      const links = await page.locator('.attachments a').evaluateAll((as) => as.map((a) => ({ href: a.getAttribute('href'), download: a.hasAttribute('download') })));
      check(links.length > 0, 'the attachment is listed');
      for (const link of links) {
        const type = decodeURIComponent(new URL(link.href, base).searchParams.get('type') ?? '');
        check(INERT_TYPES.includes(type) && link.download, `attachment link ${link.href} asks for an inert type and downloads`);
      }
      if (item.name.includes('remote-images')) {
        await settleRequests(label);
        check(remoteImagesSent(label).length === 0, 'no remote image is fetched before asking');
        await page.getByRole('button', { name: 'Show images' }).click();
        await page.waitForFunction(() => document.querySelector('iframe.message-frame')?.getAttribute('src')?.endsWith('images=1'));
        await frame.locator('body').waitFor();
        await exercise(frame, page);
        await settleRequests(label);
        check(remoteImagesSent(label).length > 0, 'the remote image is fetched once asked for');
        entry.imagesShown = true;
      }
      check(page.url() === startUrl, `the page stayed where it was (now ${page.url()})`);

      state.current = 'none';
      entry.blockedInPage = (await settleRequests(label)).filter((r) => r.outcome.startsWith('blocked')).map((r) => r.url);
      entry.webmailTrips = tripsOf(label);
      check(entry.webmailTrips.length === 0, `tripped: ${JSON.stringify(entry.webmailTrips)}`);
      if (requireSanitised) check(entry.unsafeMarkup.length === 0, `the rendered document still has ${entry.unsafeMarkup.join(', ')}`);
    }).catch(() => {
      state.current = 'none';
    });
  }
  state.watchPopups = false;

  await step('positive control again: the tripwires were live all along', () => provePageTripwires('control-after'));

  report.tripsOutsideMessages = state.trips.filter((t) => t.during === 'none');
  check(report.tripsOutsideMessages.length === 0, `trips between messages: ${JSON.stringify(report.tripsOutsideMessages)}`);
});
