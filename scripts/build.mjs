// Builds dist/tmux-monitor.mjs: the whole program in one file that runs unchanged under
// `node`, `bun` and `deno run -A`.
import { build } from 'esbuild';
import { statSync } from 'node:fs';
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
const kib = (statSync(outfile).size / 1024).toFixed(0);
if (!process.argv.includes('--quiet')) console.log(`built ${outfile} (${kib} KiB)`);
