/**
 * Replays the corpus of real agent screens (test/fixtures/screens/<agent>/*.json) in real
 * tmux panes and reads back what the control-mode source reports for each.
 *
 * Each fixture gets its own window, at the fixture's size, in a private tmux server
 * (`tmux -L replay-<random> -f /dev/null`). The pane's program is `replay.py` started as
 * `exec -a <pane_current_command>`, so tmux names it as the real CLI was named; it starts
 * one idle child per name in `children`, sets the title (OSC 2), enters the alternate
 * screen when the CLI was in it, draws `screen_ansi` row by row, puts the cursor where it
 * was, and stays. Many panes run at once in one server.
 *
 * Used by test/tmux/corpus.test.ts and, bundled, by eval/agents/run.mjs.
 */
import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { AgentStatus } from '../../src/protocol/events.ts';
import type { PaneFacts } from '../../src/tmux/agents/detect.ts';
import { createTmuxSource } from '../../src/tmux/index.ts';
import { stripAnsi } from '../../src/tmux/output/ansi.ts';

export interface ScreenFixture {
  agent: string;
  agent_version?: string;
  label: string;
  expected: { status: AgentStatus; agent_type: string };
  cols: number;
  rows: number;
  screen: string;
  screen_ansi: string;
  pane_current_command: string;
  pane_title: string;
  alternate_on: boolean;
  cursor: [number, number];
  children: string[];
  seconds_since_output?: number;
  note?: string;
  /** Path relative to the corpus folder (added when loaded). */
  file: string;
}

export interface Reported {
  status: AgentStatus;
  agent_type: string;
  reason: string;
}

/** Every fixture under `dir` (recursively), sorted by path. */
export function loadFixtures(dir: string): ScreenFixture[] {
  const out: ScreenFixture[] = [];
  const walk = (d: string): void => {
    let names: string[];
    try {
      names = readdirSync(d).sort();
    } catch {
      return;
    }
    for (const name of names) {
      const p = join(d, name);
      if (statSync(p).isDirectory()) walk(p);
      else if (name.endsWith('.json')) out.push({ ...(JSON.parse(readFileSync(p, 'utf8')) as ScreenFixture), file: relative(dir, p) });
    }
  };
  walk(dir);
  return out;
}

/** The facts the source would gather for the pane the fixture was captured from. */
export function factsOf(f: ScreenFixture): PaneFacts {
  return {
    command: f.pane_current_command,
    dead: false,
    deadStatus: null,
    agentState: '',
    screen: f.screen,
    title: f.pane_title,
    alternate: f.alternate_on,
    cursor: f.cursor,
    children: f.children ?? [],
    secondsSinceOutput: f.seconds_since_output ?? null,
  };
}

/** What the replayer writes to the terminal: title, screen mode, each row in place, the cursor. */
export function payloadOf(f: ScreenFixture): string {
  let out = `\x1b]2;${f.pane_title.replace(/[\x00-\x1f\x7f]/g, '')}\x07`;
  if (f.alternate_on) out += '\x1b[?1049h';
  out += '\x1b[H\x1b[2J';
  const rows = rowsOf(f);
  rows.forEach((row, i) => {
    out += `\x1b[${i + 1};1H\x1b[0m${row}`;
  });
  out += `\x1b[0m\x1b[${(f.cursor?.[1] ?? 0) + 1};${(f.cursor?.[0] ?? 0) + 1}H`;
  return out;
}

/**
 * The rows to draw: `screen_ansi` (with its colours), unless it does not hold the same text
 * as `screen` (a capture taken mid-redraw): then `screen`'s lines, cut at the width.
 */
function rowsOf(f: ScreenFixture): string[] {
  const ansi = f.screen_ansi.replace(/\n$/, '').split('\n').slice(0, f.rows);
  const text = (s: string): string => s.replace(/\s+/g, '');
  if (text(stripAnsi(ansi.join('\n'))) === text(f.screen)) return ansi;
  const rows: string[] = [];
  for (const line of f.screen.replace(/\n$/, '').split('\n')) {
    const chars = [...line.trimEnd()];
    if (chars.length === 0) rows.push('');
    for (let i = 0; i < chars.length; i += f.cols) rows.push(chars.slice(i, i + f.cols).join(''));
  }
  return rows.slice(0, f.rows);
}

const REPLAYER = fileURLToPath(new URL('./replay.py', import.meta.url));
/** The real interpreter, not a wrapper (pyenv's shim would replace the argv[0] we set). */
const PYTHON = existsSync('/usr/bin/python3') ? '/usr/bin/python3' : 'python3';

function sh(s: string): string {
  return `'${s.replace(/'/g, `'\\''`)}'`;
}

function tmuxRun(socket: string, args: string[]): Promise<string> {
  const env = { ...process.env };
  delete env.TMUX;
  delete env.TMUX_PANE;
  return new Promise((resolve, reject) => {
    execFile('tmux', ['-L', socket, ...args], { env, timeout: 20_000 }, (err, stdout, stderr) => {
      if (err) reject(new Error(`tmux ${args.slice(0, 3).join(' ')}: ${stderr || err.message}`));
      else resolve(stdout);
    });
  });
}

export interface ReplayOptions {
  /** Panes replayed at once (default 24). */
  parallel?: number;
  /** Longest wait for a pane's status to become the expected one (ms, default 4000). */
  timeoutMs?: number;
  /** Called after each fixture with what was reported. */
  onResult?: (f: ScreenFixture, got: Reported) => void;
}

/**
 * Replays every fixture and returns what the source reported for each (by `file`): the
 * expected status once reported, else the last status reported within `timeoutMs`.
 */
export async function replayAll(fixtures: ScreenFixture[], options: ReplayOptions = {}): Promise<Map<string, Reported>> {
  const parallel = options.parallel ?? 24;
  const timeoutMs = options.timeoutMs ?? 4000;
  const socket = `replay-${randomBytes(6).toString('hex')}`;
  const work = mkdtempSync(join(tmpdir(), 'tmux-monitor-replay-'));
  const bindir = join(work, 'bin');
  mkdirSync(bindir);
  const results = new Map<string, Reported>();
  await tmuxRun(socket, [
    '-f',
    '/dev/null',
    'start-server',
    ';',
    'set-option',
    '-g',
    'default-shell',
    '/bin/bash',
    ';',
    'set-option',
    '-g',
    'history-limit',
    '100',
    ';',
    'new-session',
    '-d',
    '-s',
    'base',
    '-x',
    '80',
    '-y',
    '24',
    'exec sleep 1000000',
  ]);
  const source = createTmuxSource({ socketName: socket });
  // The latest status per pane, and who waits for which pane.
  const latest = new Map<string, Reported>();
  const waiters = new Map<string, () => void>();
  const reading = (async () => {
    for await (const batch of source.events()) {
      for (const e of batch) {
        if (e.type !== 'agent.status' || !e.pane_id) continue;
        latest.set(e.pane_id, { status: e.data.status, agent_type: e.data.agent_type, reason: e.data.reason ?? '' });
        waiters.get(e.pane_id)?.();
      }
    }
  })();
  const sessions = new Set<string>();
  try {
    await source.ready(10_000);
    for (let i = 0; i < fixtures.length; i += parallel) {
      const batch = fixtures.slice(i, i + parallel);
      const panes: string[] = [];
      for (const [j, f] of batch.entries()) {
        const session = `s${f.cols}x${f.rows}`;
        if (!sessions.has(session)) {
          await tmuxRun(socket, [
            'new-session',
            '-d',
            '-s',
            session,
            '-x',
            String(f.cols),
            '-y',
            String(f.rows),
            'exec sleep 1000000',
            ';',
            'set-option',
            '-t',
            session,
            'default-size',
            `${f.cols}x${f.rows}`,
          ]);
          sessions.add(session);
        }
        const payload = join(work, `${i + j}.bin`);
        writeFileSync(payload, payloadOf(f));
        const cmd = [
          'exec -a',
          sh(f.pane_current_command || 'bash'),
          PYTHON,
          sh(REPLAYER),
          sh(payload),
          sh(bindir),
          ...(f.children ?? []).map(sh),
        ].join(' ');
        panes.push((await tmuxRun(socket, ['new-window', '-d', '-t', `${session}:`, '-P', '-F', '#{pane_id}', cmd])).trim());
      }
      await Promise.all(
        batch.map(async (f, j) => {
          const pane = panes[j]!;
          const ok = (): boolean => {
            const r = latest.get(pane);
            return r !== undefined && r.status === f.expected.status && r.agent_type === f.expected.agent_type;
          };
          if (!ok()) {
            await new Promise<void>((resolve) => {
              const timer = setTimeout(done, timeoutMs);
              function done(): void {
                clearTimeout(timer);
                waiters.delete(pane);
                resolve();
              }
              waiters.set(pane, () => {
                if (ok()) done();
              });
            });
          }
          const got = latest.get(pane) ?? { status: 'unknown', agent_type: 'unknown', reason: 'nothing reported' };
          results.set(f.file, got);
          options.onResult?.(f, got);
        }),
      );
      for (const pane of panes) await tmuxRun(socket, ['kill-pane', '-t', pane]).catch(() => {});
    }
  } finally {
    await source.close();
    await tmuxRun(socket, ['kill-server']).catch(() => {});
    await reading.catch(() => {});
    rmSync(work, { recursive: true, force: true });
  }
  return results;
}
