/**
 * Builds what the bench runs: the CLI bundle (npm run build) and the two fan-out servers
 * (dist/bench/*.mjs), each one file that runs unchanged under node, bun and deno.
 */
import { execFileSync } from 'node:child_process';
import { join } from 'node:path';
import { build } from 'esbuild';
import { ROOT } from './proc.mjs';

export const FANOUT_SERVER = join(ROOT, 'dist', 'bench', 'fanout-server.mjs');
export const BASELINE_SERVER = join(ROOT, 'dist', 'bench', 'baseline-server.mjs');

/** `cli: false` skips the CLI bundle (already built, as by the test suite's global setup). */
export async function buildAll({ cli = true } = {}) {
  if (cli) execFileSync(process.execPath, ['scripts/build.mjs', '--quiet'], { cwd: ROOT, stdio: 'inherit' });
  for (const [entry, outfile] of [
    ['bench/servers/fanout-server.ts', FANOUT_SERVER],
    ['bench/servers/baseline-server.ts', BASELINE_SERVER],
  ]) {
    await build({
      absWorkingDir: ROOT,
      entryPoints: [entry],
      outfile,
      bundle: true,
      platform: 'node',
      format: 'esm',
      target: ['node20', 'deno2'],
      legalComments: 'none',
      banner: {
        js: "import { createRequire as __bCreateRequire } from 'node:module';\nconst require = __bCreateRequire(import.meta.url);",
      },
      logLevel: 'warning',
    });
  }
}
