// Re-record the real-screen corpus: runs each agent's walk in record mode at each size and
// writes test/fixtures/screens/<agent>/<label>.<cols>x<rows>.json.
//
//   node eval/agents/record.mjs [agent ...] [--sizes 80x24,120x40,160x45]
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { REPO_ROOT } from './lab.mjs';

const { values, positionals } = parseArgs({
  allowPositionals: true,
  options: { sizes: { type: 'string', default: '80x24,120x40,160x45' } },
});
const walksDir = join(REPO_ROOT, 'eval', 'agents', 'walks');
const available = readdirSync(walksDir)
  .filter((f) => /^[a-z].*\.mjs$/.test(f))
  .map((f) => f.replace(/\.mjs$/, ''));
const agents = positionals.length ? positionals : available;
const sizes = values.sizes.split(',').map((s) => s.split('x').map(Number));

let failed = 0;
for (const agent of agents) {
  if (!available.includes(agent)) {
    console.error(`no walk for ${agent} (have: ${available.join(', ')})`);
    failed++;
    continue;
  }
  const { walk } = await import(join(walksDir, `${agent}.mjs`));
  for (const [cols, rows] of sizes) {
    const t0 = Date.now();
    try {
      const results = await walk({ mode: 'record', cols, rows });
      console.log(`${agent} ${cols}x${rows}: ${results.length} screens in ${((Date.now() - t0) / 1000).toFixed(0)} s`);
    } catch (err) {
      failed++;
      console.error(`${agent} ${cols}x${rows}: FAILED: ${err.stack ?? err}`);
    }
  }
}
process.exitCode = failed ? 1 : 0;
