// Agent status accuracy on the corpus of real screens (test/fixtures/screens/**).
//
//   npm run eval:agents                  replay every screen in real tmux panes through the
//                                        control-mode source; a table per agent and state
//   npm run eval:agents -- --pure        the detector alone on the same facts (fast, no tmux)
//   npm run eval:agents -- --markdown    the tables as Markdown
//   npm run eval:agents -- --write-doc   also put the Markdown table into docs/agents.md
//   npm run eval:agents -- --misses      list every screen read wrongly
//   npm run eval:agents -- --agent codex only this agent's screens
//   npm run eval:agents -- --corpus DIR  another corpus folder
//   npm run eval:agents -- --live ...    hand off to eval/agents/live.mjs (real CLIs, live monitor)
//
// The TypeScript sources are bundled with esbuild to a temporary file and imported, so this
// runs on plain Node 20.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { parseArgs } from 'node:util';

const here = dirname(fileURLToPath(import.meta.url));
const root = join(here, '..', '..');

const argv = process.argv.slice(2);
if (argv.includes('--live')) {
  const rest = argv.filter((a) => a !== '--live');
  const r = spawnSync(process.execPath, [join(here, 'live.mjs'), ...rest], { stdio: 'inherit' });
  process.exit(r.status ?? 1);
}

const { values } = parseArgs({
  args: argv,
  options: {
    pure: { type: 'boolean', default: false },
    markdown: { type: 'boolean', default: false },
    'write-doc': { type: 'boolean', default: false },
    misses: { type: 'boolean', default: false },
    agent: { type: 'string', multiple: true },
    parallel: { type: 'string', default: '24' },
    corpus: { type: 'string' },
  },
});

if (values['write-doc']) values.markdown = true;

const { build } = await import('esbuild');
const out = mkdtempSync(join(tmpdir(), 'eval-agents-'));
const bundle = join(out, 'replay.mjs');
let lib;
try {
  await build({
    stdin: {
      contents: ["export * from './test/helpers/replay.ts';", "export { detect } from './src/tmux/agents/detect.ts';"].join('\n'),
      resolveDir: root,
      loader: 'ts',
    },
    bundle: true,
    platform: 'node',
    format: 'esm',
    target: 'node20',
    outfile: bundle,
    logLevel: 'error',
    // replay.ts finds replay.py next to itself: point import.meta.url at the real file.
    define: { 'import.meta.url': JSON.stringify(pathToFileURL(join(root, 'test', 'helpers', 'replay.ts')).href) },
  });
  lib = await import(pathToFileURL(bundle).href);
} finally {
  rmSync(out, { recursive: true, force: true });
}

let fixtures = lib.loadFixtures(values.corpus ?? join(root, 'test', 'fixtures', 'screens'));
if (values.agent?.length) fixtures = fixtures.filter((f) => values.agent.includes(f.agent));
if (fixtures.length === 0) {
  console.error('no fixtures in test/fixtures/screens');
  process.exit(1);
}

const t0 = Date.now();
let results;
if (values.pure) {
  results = new Map(fixtures.map((f) => [f.file, lib.detect(lib.factsOf(f))]));
} else {
  let done = 0;
  results = await lib.replayAll(fixtures, {
    parallel: Number(values.parallel),
    onResult: () => {
      done++;
      if (process.stderr.isTTY) process.stderr.write(`\rreplayed ${done}/${fixtures.length}`);
    },
  });
  if (process.stderr.isTTY) process.stderr.write('\n');
}
const seconds = (Date.now() - t0) / 1000;

// Tally per agent and expected state.
const rows = new Map(); // "agent\tstate" -> {n, status, type}
const total = { n: 0, status: 0, type: 0 };
const misses = [];
for (const f of fixtures) {
  const got = results.get(f.file) ?? { status: 'unknown', agent_type: 'unknown', reason: 'no result' };
  const key = `${f.agent}\t${f.expected.status}`;
  const row = rows.get(key) ?? { n: 0, status: 0, type: 0 };
  const okStatus = got.status === f.expected.status;
  const okType = got.agent_type === f.expected.agent_type;
  row.n++;
  total.n++;
  if (okStatus) row.status++, total.status++;
  if (okType) row.type++, total.type++;
  rows.set(key, row);
  if (!okStatus || !okType) misses.push({ f, got });
}

const pct = (a, n) => (n === 0 ? '-' : `${((100 * a) / n).toFixed(1)}%`);
const cell = (a, n) => `${a}/${n} (${pct(a, n)})`;
const agents = [...new Set(fixtures.map((f) => f.agent))].sort();
const states = ['ready', 'busy', 'waiting', 'error', 'exited', 'unknown'];
const lines = [];
const mode = values.pure ? 'detector only (--pure)' : 'replayed in tmux through the control-mode source';
if (values.markdown) {
  lines.push(`Corpus: ${fixtures.length} screens, ${mode}, ${seconds.toFixed(0)} s.`, '');
  lines.push('| agent | state | screens | status right | agent type right |', '|---|---|---|---|---|');
  for (const a of agents) {
    for (const s of states) {
      const r = rows.get(`${a}\t${s}`);
      if (r) lines.push(`| ${a} | ${s} | ${r.n} | ${cell(r.status, r.n)} | ${cell(r.type, r.n)} |`);
    }
    const sum = [...rows]
      .filter(([k]) => k.startsWith(`${a}\t`))
      .reduce((m, [, r]) => ({ n: m.n + r.n, status: m.status + r.status, type: m.type + r.type }), { n: 0, status: 0, type: 0 });
    lines.push(`| **${a}** | all | ${sum.n} | ${cell(sum.status, sum.n)} | ${cell(sum.type, sum.n)} |`);
  }
  lines.push(`| **all** | all | ${total.n} | **${cell(total.status, total.n)}** | **${cell(total.type, total.n)}** |`);
} else {
  lines.push(`${fixtures.length} screens, ${mode}, ${seconds.toFixed(1)} s`, '');
  const pad = (s, n) => String(s).padEnd(n);
  lines.push(`${pad('agent', 10)}${pad('state', 9)}${pad('status', 20)}agent type`);
  for (const a of agents) {
    for (const s of states) {
      const r = rows.get(`${a}\t${s}`);
      if (r) lines.push(`${pad(a, 10)}${pad(s, 9)}${pad(cell(r.status, r.n), 20)}${cell(r.type, r.n)}`);
    }
  }
  lines.push(`${pad('overall', 19)}${pad(cell(total.status, total.n), 20)}${cell(total.type, total.n)}`);
}
console.log(lines.join('\n'));
if (values['write-doc']) {
  // Between the markers in docs/agents.md.
  const doc = join(root, 'docs', 'agents.md');
  const text = readFileSync(doc, 'utf8');
  const start = '<!-- accuracy:start -->';
  const end = '<!-- accuracy:end -->';
  const a = text.indexOf(start);
  const b = text.indexOf(end);
  if (a < 0 || b < a) {
    console.error('docs/agents.md has no accuracy markers');
    process.exitCode = 1;
  } else {
    writeFileSync(doc, `${text.slice(0, a + start.length)}\n${lines.join('\n')}\n${text.slice(b)}`);
    console.error('docs/agents.md updated');
  }
}
if (values.misses && misses.length > 0) {
  console.log('\nmisses:');
  for (const { f, got } of misses) {
    console.log(`  ${f.file}: expected ${f.expected.status}/${f.expected.agent_type}, got ${got.status}/${got.agent_type} (${got.reason})`);
  }
}
// Goals (issue 10): ≥ 97% overall for status and type, no agent's state under 90%.
const worst = Math.min(...[...rows.values()].map((r) => Math.min(r.status / r.n, r.type / r.n)));
const met = total.status / total.n >= 0.97 && total.type / total.n >= 0.97 && worst >= 0.9;
if (!values.markdown) console.log(`\ngoals (≥97% overall, no state under 90%): ${met ? 'met' : 'NOT met'}`);
