import { defineConfig } from 'vitest/config';

// The build lands in target/classes/postino-webmail/ so Maven packs it into the jar, where the server serves it
// under /webmail/. Nothing is inlined: the server's Content-Security-Policy allows script-src 'self' and
// style-src 'self' only (scripts/check-build.mjs checks the output).
export default defineConfig({
  base: '/webmail/',
  build: {
    outDir: 'target/classes/postino-webmail',
    emptyOutDir: true,
    assetsInlineLimit: 0,
    modulePreload: { polyfill: false },
    target: 'es2022',
    sourcemap: false,
  },
  test: {
    include: ['test/**/*.test.ts'],
    environment: 'node',
  },
});
