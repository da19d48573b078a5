/**
 * A smoke run of the benchmark harness (`node bench/run.mjs --quick --parallel`): tiny
 * loads and durations, Node only, the scenarios side by side. It checks that every scenario runs against real servers and a
 * real tmux and writes well-formed results, tables and charts — never how fast anything
 * was (the numbers of a quick run on a shared machine mean nothing).
 */
import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const dir = mkdtempSync(join(tmpdir(), 'tmux-monitor-bench-'));
const out = join(dir, 'results');
const docs = join(dir, 'docs');
let run: { code: number | null; stdout: string; stderr: string };

const read = (name: string): any => JSON.parse(readFileSync(join(out, `${name}.json`), 'utf8'));

const isPercentiles = (l: any): boolean =>
  l.count > 0 && l.min <= l.p50 && l.p50 <= l.p95 && l.p95 <= l.p99 && l.p99 <= l.max && Number.isFinite(l.mean);

beforeAll(async () => {
  run = await new Promise((resolve) => {
    execFile(
      process.execPath,
      ['bench/run.mjs', '--quick', '--parallel', '--runtimes', 'node', '--skip-cli-build', '--out', out, '--docs-dir', docs],
      { timeout: 170_000, maxBuffer: 16 * 1024 * 1024 },
      (error, stdout, stderr) => resolve({ code: error ? ((error as { code?: number }).code ?? 1) : 0, stdout, stderr }),
    );
  });
}, 180_000);

afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('bench harness (quick run)', () => {
  it('runs every scenario and exits 0', () => {
    expect(run.code, run.stderr.slice(-2000)).toBe(0);
    const summary = JSON.parse(readFileSync(join(out, 'summary.json'), 'utf8'));
    expect(Object.keys(summary.scenarios)).toEqual(['latency', 'structural', 'agent-state', 'fanout', 'connections', 'idle', 'bus']);
    expect(summary.machine.cores).toBeGreaterThan(0);
    for (const s of Object.values<any>(summary.scenarios)) {
      expect(s.error).toBeUndefined();
      expect(s.tables.length).toBeGreaterThan(0);
      for (const t of s.tables) for (const row of t.rows) expect(row).toHaveLength(t.columns.length);
    }
  });

  it('prints a table per scenario', () => {
    for (const heading of [
      'End-to-end latency',
      'Structural latency',
      '@agent_state → agent.status',
      'Fan-out',
      'Connections and memory',
      'Idle cost',
    ]) {
      expect(run.stdout).toContain(heading);
    }
  });

  it('latency: control mode and the polling baseline, with percentiles', () => {
    const { results } = read('latency');
    for (const source of ['tmux', 'poll']) {
      const r = results.find((x: any) => x.source === source && x.runtime === 'node');
      expect(r.error).toBeUndefined();
      expect(r.received).toBeGreaterThan(0);
      expect(r.received + r.lost).toBe(r.lines);
      expect(isPercentiles(r.latency)).toBe(true);
    }
  });

  it('structural: window and agent changes for both sources', () => {
    const { results } = read('structural');
    const ops = ['new-window', 'rename-window', 'kill-window', 'agent.status via @agent_state', 'agent.status via screen (Claude Code)'];
    for (const source of ['tmux', 'poll']) {
      for (const op of ops) {
        const r = results.find((x: any) => x.source === source && x.op === op);
        expect(r, `${source} ${op}`).toBeDefined();
        expect(r.latency.count + r.timeouts).toBeGreaterThan(0);
      }
    }
  });

  it('agent-state: @agent_state changes reach a client, with percentiles and the goal', () => {
    const { results } = read('agent-state');
    expect(results[0].latency.count).toBeGreaterThan(0);
    expect(isPercentiles(results[0].latency)).toBe(true);
    expect(results[0].goal).toEqual({ p50: 100, p99: 250 });
  });

  it('fan-out: tmux-monitor beside the ws baseline, with a ratio', () => {
    const { results } = read('fanout');
    const ours = results.filter((r: any) => r.server === 'tmux-monitor' && r.runtime === 'node');
    const base = results.filter((r: any) => r.server === 'baseline');
    expect(ours.length).toBeGreaterThan(0);
    expect(base.length).toBe(ours.length);
    for (const r of [...ours, ...base]) {
      expect(r.error).toBeUndefined();
      expect(r.delivered).toBeGreaterThan(0);
      expect(r.delivered).toBeLessThanOrEqual(r.expected);
      expect(isPercentiles(r.latency)).toBe(true);
    }
    for (const r of ours) expect(r.ratioToBaseline).toBeGreaterThan(0);
  });

  it('connections: RSS at each step and bytes per connection, for both servers', () => {
    const { results } = read('connections');
    expect(results.map((r: any) => r.server)).toEqual(['tmux-monitor', 'baseline']);
    for (const r of results) {
      expect(r.error).toBeUndefined();
      expect(r.steps.map((s: any) => s.connections)).toEqual([0, 5, 20]);
      for (const s of r.steps) expect(s.rssBytes).toBeGreaterThan(0);
      expect(Number.isFinite(r.bytesPerConnectionOverall)).toBe(true);
    }
  });

  it('idle: CPU seconds for control mode, polling and the floor', () => {
    const { results } = read('idle');
    expect(results.map((r: any) => r.source)).toEqual(['tmux', 'poll', 'none']);
    for (const r of results) {
      expect(r.serverCpuSeconds).toBeGreaterThanOrEqual(0);
      expect(r.totalCpuPercent).toBeGreaterThanOrEqual(0);
    }
  });

  it('writes the report and both charts', () => {
    const md = readFileSync(join(docs, 'benchmarks.md'), 'utf8');
    expect(md).toContain('<!-- bench:begin');
    expect(md).toContain('<!-- bench:end -->');
    expect(md).toContain('### Goals');
    for (const svg of ['bench-latency.svg', 'bench-fanout.svg']) {
      const text = readFileSync(join(docs, svg), 'utf8');
      expect(text.startsWith('<svg')).toBe(true);
      expect(text.trimEnd().endsWith('</svg>')).toBe(true);
    }
  });
});
