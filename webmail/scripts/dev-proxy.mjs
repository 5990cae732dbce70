// Development only: serves the built webmail and stands in for the server's session API in front of a Postino whose
// JMAP accepts HTTP Basic, so the front-end can be worked on without a server build that has the webmail routes.
//
//   UPSTREAM=https://127.0.0.1:10443 PORT=5174 npm run dev-proxy     (then open http://127.0.0.1:5174/webmail/)
//
// Not a security boundary: it keeps passwords in memory to add Basic authentication upstream, and its message
// "render" is the raw HTML body (only the sandbox and CSP headers protect it). The real server sanitises.
import { createServer } from 'node:http';
import { request as httpsRequest } from 'node:https';
import { randomBytes } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { extname, join, normalize } from 'node:path';

const UPSTREAM = new URL(process.env.UPSTREAM ?? 'https://127.0.0.1:10443');
const PORT = Number(process.env.PORT ?? 5174);
const ROOT = new URL('../target/classes/postino-webmail/', import.meta.url).pathname;
const COOKIE = 'postino-dev';
const WEBMAIL_HEADERS = {
  'Content-Security-Policy':
    "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data: blob:; font-src 'self'; connect-src 'self'; frame-src 'self'; form-action 'self'; base-uri 'none'; frame-ancestors 'none'",
  'X-Content-Type-Options': 'nosniff',
  'Referrer-Policy': 'no-referrer',
  'X-Frame-Options': 'DENY',
};
const TYPES = { '.html': 'text/html; charset=utf-8', '.js': 'text/javascript', '.css': 'text/css', '.svg': 'image/svg+xml', '.png': 'image/png' };
const sessions = new Map();

function send(res, status, body, headers = {}) {
  res.writeHead(status, { ...WEBMAIL_HEADERS, ...headers });
  res.end(body);
}

function json(res, status, value, headers = {}) {
  send(res, status, JSON.stringify(value), { 'Content-Type': 'application/json', ...headers });
}

function sessionOf(req) {
  const cookie = (req.headers.cookie ?? '').split(/;\s*/).find((c) => c.startsWith(`${COOKIE}=`));
  return cookie ? sessions.get(cookie.slice(COOKIE.length + 1)) : undefined;
}

function upstream(method, path, headers, body, auth) {
  return new Promise((resolve, reject) => {
    const req = httpsRequest(
      {
        host: UPSTREAM.hostname,
        port: UPSTREAM.port,
        method,
        path,
        rejectUnauthorized: false,
        headers: { ...headers, Authorization: 'Basic ' + Buffer.from(auth).toString('base64'), host: UPSTREAM.host },
      },
      (res) => {
        const chunks = [];
        res.on('data', (c) => chunks.push(c));
        res.on('end', () => resolve({ status: res.statusCode, headers: res.headers, body: Buffer.concat(chunks) }));
      },
    );
    req.on('error', reject);
    req.end(body);
  });
}

async function readBody(req) {
  const chunks = [];
  for await (const chunk of req) chunks.push(chunk);
  return Buffer.concat(chunks);
}

async function jmap(session, calls) {
  const answer = await upstream(
    'POST',
    '/jmap',
    { 'Content-Type': 'application/json', Accept: 'application/json' },
    JSON.stringify({ using: ['urn:ietf:params:jmap:core', 'urn:ietf:params:jmap:mail'], methodCalls: calls }),
    session.auth,
  );
  return JSON.parse(answer.body.toString('utf8')).methodResponses;
}

async function render(req, res, session, id, images) {
  const accountResponse = await upstream('GET', '/jmap/session', { Accept: 'application/json' }, undefined, session.auth);
  const accountId = JSON.parse(accountResponse.body.toString('utf8')).primaryAccounts['urn:ietf:params:jmap:mail'];
  const [[, result]] = await jmap(session, [
    ['Email/get', { accountId, ids: [id], properties: ['htmlBody', 'bodyValues'], fetchHTMLBodyValues: true }, '0'],
  ]);
  const email = result.list?.[0];
  if (!email) return send(res, 404, 'not found');
  const part = email.htmlBody?.[0];
  const value = part ? email.bodyValues[part.partId]?.value ?? '' : '';
  const html = part?.type === 'text/html' ? value : `<pre>${value.replace(/[&<>]/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;' })[c])}</pre>`;
  const remote = /<img[^>]+src\s*=\s*["']?https?:/i.test(html);
  send(res, 200, html, {
    'Content-Type': 'text/html; charset=utf-8',
    'Content-Security-Policy': `default-src 'none'; style-src 'unsafe-inline'; img-src 'self' data:${images ? ' https:' : ''}; sandbox; frame-ancestors 'self'`,
    'X-Frame-Options': 'SAMEORIGIN',
    'X-Postino-Remote-Images': remote ? (images ? 'shown' : 'blocked') : 'none',
  });
}

createServer(async (req, res) => {
  try {
    const url = new URL(req.url, 'http://localhost');
    const path = url.pathname;
    if (path === '/') return send(res, 302, '', { Location: '/webmail/' });
    if (path === '/webmail/api/session') {
      if (req.method === 'POST') {
        const { username, password } = JSON.parse((await readBody(req)).toString('utf8') || '{}');
        const auth = `${username}:${password}`;
        const check = await upstream('GET', '/jmap/session', { Accept: 'application/json' }, undefined, auth);
        if (check.status !== 200) return json(res, 401, { error: 'invalid-credentials' });
        const id = randomBytes(32).toString('hex');
        const csrfToken = randomBytes(32).toString('hex');
        sessions.set(id, { username, auth, csrfToken });
        return json(res, 200, { username, csrfToken }, { 'Set-Cookie': `${COOKIE}=${id}; Path=/; HttpOnly; SameSite=Strict` });
      }
      const session = sessionOf(req);
      if (req.method === 'GET') return session ? json(res, 200, { username: session.username, csrfToken: session.csrfToken }) : json(res, 401, { error: 'no-session' });
      if (req.method === 'DELETE') {
        if (!session || req.headers['x-postino-csrf'] !== session.csrfToken) return json(res, 401, { error: 'no-session' });
        for (const [id, s] of sessions) if (s === session) sessions.delete(id);
        return send(res, 204, '', { 'Set-Cookie': `${COOKIE}=; Path=/; Max-Age=0` });
      }
    }
    const renderMatch = path.match(/^\/webmail\/api\/render\/([^/]+)$/);
    if (renderMatch) {
      const session = sessionOf(req);
      if (!session) return json(res, 401, { error: 'no-session' });
      return await render(req, res, session, decodeURIComponent(renderMatch[1]), url.searchParams.get('images') === '1');
    }
    if (/^\/(jmap|upload|download)(\/|$)/.test(path)) {
      const session = sessionOf(req);
      if (!session) return json(res, 401, { error: 'no-session' });
      if (req.method !== 'GET' && req.method !== 'HEAD' && req.headers['x-postino-csrf'] !== session.csrfToken) {
        return json(res, 401, { error: 'csrf' });
      }
      const body = req.method === 'GET' ? undefined : await readBody(req);
      const headers = {};
      for (const name of ['content-type', 'accept']) if (req.headers[name]) headers[name] = req.headers[name];
      const answer = await upstream(req.method, req.url, headers, body, session.auth);
      const out = {};
      for (const name of ['content-type', 'content-disposition']) if (answer.headers[name]) out[name] = answer.headers[name];
      res.writeHead(answer.status, out);
      return res.end(answer.body);
    }
    if (path === '/webmail' || path === '/webmail/' || path.startsWith('/webmail/')) {
      let file = path === '/webmail' || path === '/webmail/' ? 'index.html' : path.slice('/webmail/'.length);
      file = normalize(file);
      if (file.startsWith('..')) return send(res, 404, 'not found');
      try {
        const content = await readFile(join(ROOT, file));
        return send(res, 200, content, {
          'Content-Type': TYPES[extname(file)] ?? 'application/octet-stream',
          'Cache-Control': file === 'index.html' ? 'no-store' : 'public, max-age=31536000, immutable',
        });
      } catch {
        return send(res, 404, 'not found');
      }
    }
    send(res, 404, 'not found');
  } catch (error) {
    console.error(error);
    send(res, 502, String(error));
  }
}).listen(PORT, '127.0.0.1', () => console.log(`webmail dev proxy: http://127.0.0.1:${PORT}/webmail/ -> ${UPSTREAM.origin}`));
