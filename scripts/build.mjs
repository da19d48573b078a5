// Builds dist/tmux-monitor.mjs: the whole program in one file that runs unchanged under
// `node`, `bun` and `deno run -A`.
import { build } from 'esbuild';
import { readFileSync, statSync, writeFileSync } from 'node:fs';
import { buildDashboard } from './build-dashboard.mjs';

// The dashboard's browser assets first: the server bundle imports them as a module.
await buildDashboard();

const outfile = 'dist/tmux-monitor.mjs';
await build({
  entryPoints: ['src/runtime/main.ts'],
  outfile,
  bundle: true,
  platform: 'node',
  format: 'esm',
  target: ['node20', 'deno2'],
  minifyWhitespace: false,
  legalComments: 'none',
  // Some dependencies (ws) are CommonJS and require() Node built-ins; give the ESM bundle
  // a real require. Bun and Deno both provide node:module.
  banner: {
    js: [
      '#!/usr/bin/env node',
      "import { createRequire as __tmCreateRequire } from 'node:module';",
      'const require = __tmCreateRequire(import.meta.url);',
    ].join('\n'),
  },
  logLevel: 'warning',
});
// ASCII only: one non-ASCII character (a comment's box drawing, a regex's `…`) makes V8
// hold the whole 900 KiB source as a two-byte string, twice the memory. esbuild escapes
// strings but keeps comments and regex literals as written; escape what is left. A \uXXXX
// escape means the same character in a string, a regex (with or without the u flag) and
// an identifier, and is plain text in a comment.
const text = readFileSync(outfile, 'utf8');
const ascii = text.replace(/[^\x00-\x7f]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);
if (ascii !== text) writeFileSync(outfile, ascii);
const kib = (statSync(outfile).size / 1024).toFixed(0);
if (!process.argv.includes('--quiet')) console.log(`built ${outfile} (${kib} KiB)`);
