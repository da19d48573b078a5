// Live walk-throughs: each real agent CLI driven in a private tmux through
// ready → busy → waiting → busy → ready → error → busy → ready → exited (and more), with a
// real tmux-monitor watching; each step passes when the monitor reports the right status
// within 1 s of the screen showing it.
//
//   node eval/agents/live.mjs [agent ...] [--size 120x40] [--json FILE]
//
// The CLIs are installed into $AGENT_LAB_DIR (default ~/.cache/agent-lab), never into the
// project; a CLI that cannot be installed is reported and skipped.
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { AGENT_PACKAGES, LAB_BIN, LAB_DIR, REPO_ROOT } from './lab.mjs';

const { values, positionals } = parseArgs({
  allowPositionals: true,
  options: { size: { type: 'string', default: '120x40' }, json: { type: 'string' }, live: { type: 'boolean' } },
});
const [cols, rows] = values.size.split('x').map(Number);
const walksDir = join(REPO_ROOT, 'eval', 'agents', 'walks');
const available = readdirSync(walksDir)
  .filter((f) => /^[a-z].*\.mjs$/.test(f))
  .map((f) => f.replace(/\.mjs$/, ''));
const agents = positionals.length ? positionals : available;

/** Install the pinned CLIs that are missing; returns {agent: reason} for those that could not be. */
function installAgents(list) {
  const missing = list.filter((a) => AGENT_PACKAGES[a] && !existsSync(join(LAB_BIN, a === 'claude' ? 'claude' : a)));
  const failures = {};
  if (!missing.length) return failures;
  mkdirSync(LAB_DIR, { recursive: true });
  if (!existsSync(join(LAB_DIR, 'package.json'))) writeFileSync(join(LAB_DIR, 'package.json'), '{"private":true}\n');
  for (const a of missing) {
    console.error(`installing ${AGENT_PACKAGES[a]} into ${LAB_DIR} …`);
    try {
      execFileSync('npm', ['install', '--prefix', LAB_DIR, '--no-audit', '--no-fund', AGENT_PACKAGES[a]], { stdio: 'inherit' });
    } catch (err) {
      failures[a] = `npm install ${AGENT_PACKAGES[a]} failed: ${err.message.split('\n')[0]}`;
    }
  }
  return failures;
}

// Always the bundle of this checkout: a stale one would measure old code.
execFileSync(process.execPath, [join(REPO_ROOT, 'scripts', 'build.mjs'), '--quiet'], { cwd: REPO_ROOT, stdio: 'inherit' });
const notInstalled = installAgents(agents);

const report = [];
for (const agent of agents) {
  if (notInstalled[agent]) {
    report.push({ agent, error: notInstalled[agent], steps: [] });
    continue;
  }
  if (!available.includes(agent)) {
    report.push({ agent, error: `no walk for ${agent}`, steps: [] });
    continue;
  }
  const { walk } = await import(join(walksDir, `${agent}.mjs`));
  try {
    const steps = await walk({ mode: 'live', cols, rows });
    report.push({ agent, steps });
  } catch (err) {
    report.push({ agent, error: String(err.message ?? err).split('\n')[0], steps: [] });
  }
}

let allOk = true;
for (const r of report) {
  console.log(`\n${r.agent}${r.error ? `: NOT RUN OR FAILED — ${r.error}` : ''}`);
  if (r.error) allOk = false;
  for (const s of r.steps) {
    if (!s.ok) allOk = false;
    const type = s.agent_type === s.expected_type ? '' : ` (type ${s.agent_type}, expected ${s.expected_type})`;
    console.log(
      `  ${s.ok ? 'ok  ' : 'MISS'} ${s.label.padEnd(34)} ${String(s.expected).padEnd(8)} → ${String(s.got).padEnd(8)} ${String(s.ms).padStart(5)} ms${type}`,
    );
  }
  if (r.steps.length) {
    const ok = r.steps.filter((s) => s.ok).length;
    console.log(`  ${ok}/${r.steps.length} steps right within 1 s`);
  }
}
if (values.json) writeFileSync(values.json, `${JSON.stringify({ size: values.size, report }, null, 2)}\n`);
process.exitCode = allOk ? 0 : 1;
