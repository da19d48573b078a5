// Builds the library for hosts that embed the monitor (docs/embedding.md): dist/lib/, one
// ES module per source file with its .d.ts, imports rewritten from .ts to .js, nothing
// bundled, so that the host's own hono (a peer dependency) is the one used. Bun and Deno
// can import the TypeScript source directly; Node needs this.
//   node scripts/build-lib.mjs [--out DIR]
import { execFileSync } from 'node:child_process';
import { rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const at = process.argv.indexOf('--out');
const outDir = resolve(root, at > 0 ? process.argv[at + 1] : 'dist/lib');
const tsc = createRequire(import.meta.url).resolve('typescript/bin/tsc');

rmSync(outDir, { recursive: true, force: true });
execFileSync(process.execPath, [tsc, '-p', join(root, 'tsconfig.lib.json'), '--outDir', outDir], { stdio: 'inherit' });
if (!process.argv.includes('--quiet')) console.log(`built ${outDir}`);
