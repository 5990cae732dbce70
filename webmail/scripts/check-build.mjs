// Fails the build when the output would break under the server's Content-Security-Policy
// (script-src 'self'; style-src 'self'): no inline script, no inline style, no style attribute, no inline event
// handler, no javascript: URL, nothing loaded from another origin.
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

const out = new URL('../target/classes/postino-webmail/', import.meta.url).pathname;
const problems = [];
const index = readFileSync(join(out, 'index.html'), 'utf8');

for (const match of index.matchAll(/<script\b([^>]*)>([\s\S]*?)<\/script>/gi)) {
  if (!/\bsrc=/.test(match[1])) problems.push('inline <script> in index.html');
  else if (match[2].trim()) problems.push('<script src> with content in index.html');
}
if (/<style\b/i.test(index)) problems.push('inline <style> in index.html');
if (/\sstyle\s*=/i.test(index)) problems.push('style attribute in index.html');
if (/\son[a-z]+\s*=/i.test(index)) problems.push('inline event handler in index.html');
if (/javascript:/i.test(index)) problems.push('javascript: URL in index.html');
for (const match of index.matchAll(/\b(?:src|href)\s*=\s*["']?([^"' >]+)/gi)) {
  if (!match[1].startsWith('/webmail/')) problems.push(`index.html loads ${match[1]} (not under /webmail/)`);
}
const assets = readdirSync(join(out, 'assets'));
for (const file of assets) {
  if (!/^[\w-]+-[\w-]{8}\.\w+$/.test(file)) problems.push(`unexpected asset name ${file} (no content hash)`);
}
if (!assets.some((file) => file.endsWith('.js')) || !assets.some((file) => file.endsWith('.css'))) {
  problems.push('the build has no script or no stylesheet');
}
if (problems.length > 0) {
  console.error('check-build: ' + problems.join('\n  '));
  process.exit(1);
}
console.log(`check-build: index.html and ${assets.length} assets fit script-src 'self'; style-src 'self'`);
