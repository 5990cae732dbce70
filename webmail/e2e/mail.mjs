// End-to-end: a user reads, replies, searches, writes with an attachment, moves and deletes through the webmail, with
// the keyboard where a user would. WebmailIT delivers the mail over SMTP first and checks the results over IMAP.
//
// Environment: BASE_URL (https://127.0.0.1:port), USER1/PASS1 (the reader), USER2 (who the reply and the new
// message go to), READ_SUBJECT (a message from USER2 in USER1's inbox), SEARCH_WORD (a word only in its body),
// MOVE_SUBJECT, DELETE_SUBJECT (two more messages in the inbox), REPLY_TEXT, NEW_SUBJECT.
import { check, env, newContext, run, signIn } from './lib.mjs';

const base = env('BASE_URL');
const user = env('USER1');
const password = env('PASS1');
const other = env('USER2');
const readSubject = env('READ_SUBJECT');
const searchWord = env('SEARCH_WORD');
const moveSubject = env('MOVE_SUBJECT');
const deleteSubject = env('DELETE_SUBJECT');
const replyText = env('REPLY_TEXT');
const newSubject = env('NEW_SUBJECT');

const list = (page) => page.locator('#message-list');
const row = (page, subject) => list(page).getByRole('option').filter({ hasText: subject });
const folder = (page, name) => page.getByRole('navigation').getByRole('button', { name: new RegExp(`^${name}\\b`) });
const status = (page) => page.getByRole('status');
/** waits until the list shows what was last asked for (no load under way) */
const listLoaded = (page) => page.locator('#message-list:not([aria-busy="true"])').waitFor();

async function openFolder(page, name) {
  await folder(page, name).click();
  await page.getByRole('heading', { level: 1, name }).waitFor();
  await listLoaded(page);
}

async function messageText(page) {
  const body = page.frameLocator('iframe.message-frame').locator('body');
  await body.waitFor({ timeout: 15_000 });
  return body.innerText();
}

await run('webmail mail flow', async ({ browser, step, report, watch }) => {
  const context = await newContext(browser);
  const page = await context.newPage();
  watch(page);
  const consoleErrors = [];
  page.on('pageerror', (error) => consoleErrors.push(String(error)));
  // the page's own CSP (script-src 'self'; style-src 'self') must never have to refuse anything of the webmail's
  page.on('console', (message) => {
    if (/Content Security Policy/i.test(message.text())) consoleErrors.push(`CSP: ${message.text()}`);
  });
  report.consoleErrors = consoleErrors;
  // the last JMAP calls, for diagnosing a failure
  const trace = [];
  report.trace = trace;
  const started = Date.now();
  page.on('request', (request) => {
    if (request.method() !== 'POST' || !new URL(request.url()).pathname.startsWith('/jmap')) return;
    try {
      const calls = JSON.parse(request.postData() ?? '{}').methodCalls ?? [];
      trace.push(`${Date.now() - started}ms ${calls.map(([name, args]) => `${name}${args.filter ? ' ' + JSON.stringify(args.filter) : ''}`).join(', ')}`);
      if (trace.length > 40) trace.shift();
    } catch {
      // not JSON
    }
  });

  await step('a wrong password is refused with a message', async () => {
    await page.goto(`${base}/webmail/`);
    await page.getByLabel('Email address').fill(user);
    await page.getByLabel('Password').fill('not the password');
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.getByRole('alert').filter({ hasText: 'Wrong email address or password.' }).waitFor();
  });

  await step('sign in', async () => {
    await signIn(page, base, user, password);
    await page.getByRole('heading', { level: 1, name: 'Inbox' }).waitFor();
    check((await page.locator('html').getAttribute('lang')) === 'en', 'the page language is en');
  });

  await step('the inbox lists the SMTP message, unread, and counts it', async () => {
    await row(page, readSubject).waitFor();
    check(/\bunread\b/.test((await row(page, readSubject).getAttribute('class')) ?? ''), 'the message is shown unread');
    const inbox = await folder(page, 'Inbox').innerText();
    check(/\d+/.test(inbox), `the inbox shows an unread count: ${inbox}`);
  });

  await step('keyboard: j/k move the cursor, Enter opens, Esc closes', async () => {
    await list(page).focus();
    const selected = () => list(page).locator('[aria-selected="true"]').getAttribute('id');
    const first = await selected();
    await page.keyboard.press('j');
    const second = await selected();
    check(first !== second, 'j moves the cursor');
    await page.keyboard.press('k');
    check((await selected()) === first, 'k moves it back');
    await page.keyboard.press('Enter');
    await page.locator('#reader-subject').waitFor();
    await page.waitForFunction(() => document.activeElement?.id === 'reader-subject');
    await page.keyboard.press('Escape');
    await page.locator('#reader-subject').waitFor({ state: 'detached' });
    await page.waitForFunction(() => document.activeElement?.id === 'message-list');
  });

  await step('read the message: rendered in the sandboxed frame, then marked read', async () => {
    await row(page, readSubject).click();
    await page.getByRole('heading', { level: 2, name: readSubject }).waitFor();
    const frame = page.locator('iframe.message-frame');
    check((await frame.getAttribute('sandbox')) === 'allow-popups allow-popups-to-escape-sandbox', 'the frame sandbox');
    check(/^\/webmail\/api\/render\/[^/]+\?images=0$/.test((await frame.getAttribute('src')) ?? ''), 'the frame source');
    const text = await messageText(page);
    check(text.includes(searchWord), `the body is shown (${JSON.stringify(text.slice(0, 200))})`);
    await page.waitForFunction(
      (subject) =>
        [...document.querySelectorAll('#message-list [role=option]')].some(
          (el) => el.textContent.includes(subject) && !el.classList.contains('unread'),
        ),
      readSubject,
    );
    report.readMessage = { subject: readSubject, text: text.slice(0, 500) };
  });

  await step('reply (r): addressed to the sender, subject Re:, quote; sent', async () => {
    await page.keyboard.press('r');
    const dialog = page.getByRole('dialog');
    await dialog.waitFor();
    check((await page.getByLabel('To', { exact: true }).inputValue()).includes(other), 'the reply goes to the sender');
    check((await page.getByLabel('Subject').inputValue()) === `Re: ${readSubject}`, 'the reply subject');
    const body = page.locator('#compose-body');
    await page.waitForFunction(() => document.activeElement?.id === 'compose-body', null, { timeout: 5_000 }).catch(() => {
      throw new Error('the cursor does not start in the body');
    });
    check((await body.inputValue()).includes(`> `), 'the original is quoted');
    await page.keyboard.type(replyText);
    await dialog.getByRole('button', { name: 'Send' }).click();
    await status(page).filter({ hasText: 'Message sent.' }).waitFor({ timeout: 30_000 });
    await dialog.waitFor({ state: 'detached' });
  });

  await step('the reply is in Sent', async () => {
    await openFolder(page, 'Sent');
    await row(page, `Re: ${readSubject}`).waitFor({ timeout: 30_000 });
  });

  await step('search (/) finds the message by a word of its body', async () => {
    await list(page).focus();
    await page.keyboard.press('/');
    check(await page.locator('#search-input').evaluate((el) => el === document.activeElement), '/ focuses the search box');
    await page.keyboard.type(searchWord);
    await page.keyboard.press('Enter');
    await page.getByRole('heading', { level: 1, name: `Search results for “${searchWord}”` }).waitFor();
    await row(page, readSubject).first().waitFor({ timeout: 30_000 });
    const found = await list(page).getByRole('option').allInnerTexts();
    check(!found.some((text) => text.includes(moveSubject)), 'the search does not list unrelated mail');
    report.searchResults = found.length;
    await page.getByRole('button', { name: 'Clear search' }).click();
  });

  await step('sort by subject, then back to date', async () => {
    await openFolder(page, 'Inbox');
    await page.getByLabel('Sort by').selectOption('subject');
    await page.getByLabel('Descending').click();
    await page.getByLabel('Ascending').waitFor();
    await listLoaded(page);
    const subjects = (await list(page).locator('.subject').allInnerTexts()).map((text) => text.replace(/^Has attachments,\s*/, ''));
    const sorted = [...subjects].sort((a, b) => a.localeCompare(b, 'en', { sensitivity: 'base' }));
    check(JSON.stringify(subjects) === JSON.stringify(sorted), `ascending subjects: ${JSON.stringify(subjects)}`);
    await page.getByLabel('Sort by').selectOption('date');
    await page.getByLabel('Ascending').click();
    await page.getByLabel('Descending').waitFor();
  });

  await step('write a new message with an uploaded attachment, save it as a draft, send it from Drafts', async () => {
    await list(page).focus();
    await page.keyboard.press('c');
    const dialog = page.getByRole('dialog');
    await dialog.waitFor();
    await page.getByLabel('To', { exact: true }).fill(other);
    await page.getByLabel('Subject').fill(newSubject);
    await page.locator('#compose-body').fill('Here are the figures.\n');
    await page.locator('#compose-files').setInputFiles({
      name: 'figures.csv',
      mimeType: 'text/csv',
      buffer: Buffer.from('quarter,amount\nQ1,100\nQ2,140\n'),
    });
    await dialog.getByRole('button', { name: 'Remove figures.csv' }).waitFor();
    await dialog.getByRole('button', { name: 'Save draft' }).click();
    await status(page).filter({ hasText: 'Draft saved.' }).waitFor({ timeout: 30_000 });
    await dialog.getByRole('button', { name: 'Close' }).click();
    await dialog.waitFor({ state: 'detached' });
    await openFolder(page, 'Drafts');
    await row(page, newSubject).click();
    await dialog.waitFor();
    check((await page.getByLabel('Subject').inputValue()) === newSubject, 'the draft reopens');
    await dialog.getByRole('button', { name: 'Remove figures.csv' }).waitFor();
    await dialog.getByRole('button', { name: 'Send' }).click();
    await status(page).filter({ hasText: 'Message sent.' }).waitFor({ timeout: 30_000 });
    await openFolder(page, 'Drafts');
    await row(page, newSubject).waitFor({ state: 'detached', timeout: 15_000 });
  });

  await step('move a message to Archive', async () => {
    await openFolder(page, 'Inbox');
    await row(page, moveSubject).click();
    await page.getByRole('heading', { level: 2, name: moveSubject }).waitFor();
    await page.getByLabel('Move to…').selectOption({ label: 'Archive' });
    await status(page).filter({ hasText: 'Moved to Archive.' }).waitFor();
    await row(page, moveSubject).waitFor({ state: 'detached' });
    await openFolder(page, 'Archive');
    await row(page, moveSubject).waitFor();
  });

  await step('delete (Delete key) moves to Trash; deleting in Trash destroys', async () => {
    await openFolder(page, 'Inbox');
    await row(page, deleteSubject).click();
    await page.getByRole('heading', { level: 2, name: deleteSubject }).waitFor();
    await page.locator('#reader-subject').focus();
    await page.keyboard.press('Delete');
    await status(page).filter({ hasText: 'Moved to Trash.' }).waitFor();
    await row(page, deleteSubject).waitFor({ state: 'detached' });
    await openFolder(page, 'Trash');
    await row(page, deleteSubject).click();
    await page.getByRole('button', { name: 'Delete forever' }).click();
    await status(page).filter({ hasText: 'Deleted forever.' }).waitFor();
    await row(page, deleteSubject).waitFor({ state: 'detached' });
  });

  await step('flag and mark unread from the reading pane', async () => {
    await openFolder(page, 'Archive');
    await row(page, moveSubject).click();
    await page.getByRole('button', { name: 'Flag', exact: true }).click();
    await page.getByRole('button', { name: 'Remove flag' }).waitFor();
    await page.getByRole('button', { name: 'Mark as unread' }).click();
    await page.getByRole('button', { name: 'Mark as read' }).waitFor();
    await page.waitForFunction(
      (subject) =>
        [...document.querySelectorAll('#message-list [role=option]')].some(
          (el) => el.textContent.includes(subject) && el.classList.contains('unread'),
        ),
      moveSubject,
    );
  });

  await step('Italian: the interface switches language', async () => {
    await page.locator('#top-language').selectOption('it');
    await page.getByRole('navigation', { name: 'Cartelle' }).getByRole('button', { name: /^Posta in arrivo/ }).waitFor();
    await page.waitForFunction(() => document.documentElement.lang === 'it', null, { timeout: 5_000 }).catch(() => {
      throw new Error('the page language is not it');
    });
    // the same folder and message stay open, in the other language
    await page.getByRole('heading', { level: 1, name: 'Archivio' }).waitFor();
    await page.getByRole('button', { name: 'Rispondi a tutti' }).waitFor();
    await page.locator('#top-language').selectOption('en');
    await folder(page, 'Inbox').waitFor();
  });

  await step('sign out ends the session', async () => {
    await page.getByRole('banner').getByRole('button', { name: 'Sign out' }).click();
    await page.getByRole('button', { name: 'Sign in' }).waitFor();
    await page.reload();
    await page.getByRole('button', { name: 'Sign in' }).waitFor();
  });

  await step('phone (375 px): one pane at a time, folders in a drawer, nothing wider than the screen', async () => {
    const phone = await newContext(browser, { viewport: { width: 375, height: 812 }, isMobile: true });
    const small = await phone.newPage();
    watch(small);
    small.on('pageerror', (error) => consoleErrors.push(String(error)));
    await signIn(small, base, user, password);
    const fits = () => small.evaluate(() => document.documentElement.scrollWidth <= window.innerWidth);
    check(await fits(), 'the inbox fits the width');
    check(!(await small.getByRole('navigation').isVisible()), 'the folders are hidden');
    await small.getByRole('button', { name: 'Folders menu' }).click();
    await small.getByRole('navigation').getByRole('button', { name: /^Inbox/ }).waitFor();
    await small.waitForFunction(() => document.activeElement?.classList.contains('folder'));
    await small.keyboard.press('Escape');
    await small.waitForFunction(() => document.activeElement?.classList.contains('menu-button'));
    await small.locator('#message-list [role=option]').first().click();
    await small.locator('iframe.message-frame').waitFor();
    check(!(await small.locator('#message-list').isVisible()), 'the list gives way to the message');
    check(await fits(), 'the message fits the width');
    await small.getByRole('button', { name: 'Back to the list' }).click();
    await small.locator('#message-list').waitFor();
    await phone.close();
  });

  check(consoleErrors.length === 0, `no script errors: ${consoleErrors.join('; ')}`);
});
