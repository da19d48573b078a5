// The agent lab: a real agent CLI in a private tmux pane, driven like a person would, with
// its screens recorded as fixtures (record mode) or checked against a live tmux-monitor
// (live mode). Walks (`walks/<agent>.mjs`) use this; see docs/agent-lab.md.
//
// Every lab has its own tmux server (`tmux -L lab-<random> -f /dev/null`), a private HOME and
// project folder under /tmp, and a clean environment (`env -i`), so nothing of the machine's
// own configuration leaks into the screens, and nothing of the user's tmux is touched.
import { execFile, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { homedir, tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import WebSocket from 'ws';

export const REPO_ROOT = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
/** Where the agent CLIs are installed (outside the project's dependencies). */
export const LAB_DIR = process.env.AGENT_LAB_DIR ?? join(homedir(), '.cache', 'agent-lab');
export const LAB_BIN = join(LAB_DIR, 'node_modules', '.bin');
export const FIXTURES = join(REPO_ROOT, 'test', 'fixtures', 'screens');

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
const shellQuote = (s) => `'${String(s).replaceAll("'", "'\\''")}'`;

function run(file, args, { timeout = 15_000, input } = {}) {
  return new Promise((resolve, reject) => {
    const env = { ...process.env };
    delete env.TMUX;
    delete env.TMUX_PANE;
    const child = execFile(file, args, { env, timeout, maxBuffer: 16 * 1024 * 1024 }, (err, stdout, stderr) => {
      if (err) reject(new Error(`${file} ${args.join(' ')}: ${stderr || err.message}`));
      else resolve(stdout);
    });
    if (input !== undefined) child.stdin.end(input);
  });
}

/** Labels become file names: keep them kebab-case. */
function slug(label) {
  return String(label)
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-|-$/g, '');
}

/** Every descendant of `rootPid` as {pid, ppid, comm}, from one `ps` call. */
async function processTree(rootPid) {
  const out = await run('ps', ['-e', '-o', 'pid=,ppid=,comm=']);
  const rows = out
    .split('\n')
    .map((l) => l.trim().match(/^(\d+)\s+(\d+)\s+(.*)$/))
    .filter(Boolean)
    .map((m) => ({ pid: Number(m[1]), ppid: Number(m[2]), comm: m[3] }));
  const found = [];
  const walk = (pid) => {
    for (const r of rows) {
      if (r.ppid === pid) {
        found.push(r);
        walk(r.pid);
      }
    }
  };
  walk(rootPid);
  return found;
}

/**
 * Open a lab: a tmux server with one window of `cols`×`rows` running a clean bash in a
 * scratch project folder. `env` is added to the shell's environment; `setupHome(home)` may
 * write the CLI's configuration first. In live mode a tmux-monitor (the bundle) watches the
 * lab's tmux server and `at()` checks what it reports.
 */
export async function openLab({
  agent,
  mode = 'drive',
  cols = 120,
  rows = 40,
  env = {},
  setupHome,
  agentVersion = null,
  prompt = 'lab:\\W$ ',
} = {}) {
  if (!agent) throw new Error('openLab: agent is required');
  const id = randomBytes(5).toString('hex');
  const socket = `lab-${id}`;
  const base = mkdtempSync(join(tmpdir(), `agent-lab-${agent}-`));
  const home = join(base, 'home');
  const cwd = join(base, 'project');
  mkdirSync(home, { recursive: true });
  mkdirSync(cwd, { recursive: true });
  writeFileSync(join(cwd, 'README.md'), '# demo project\n\nA small project for the agent lab.\n');
  writeFileSync(join(cwd, 'hello.py'), 'def hello(name):\n    return f"hello {name}"\n\nprint(hello("lab"))\n');
  await run('git', ['init', '-q', cwd]).catch(() => {});
  if (setupHome) await setupHome(home);

  const rc = join(base, 'bashrc');
  writeFileSync(rc, `PS1=${shellQuote(prompt)}\nunset PROMPT_COMMAND\n`);
  const fullEnv = {
    HOME: home,
    USER: process.env.USER ?? 'root',
    LOGNAME: process.env.USER ?? 'root',
    SHELL: '/bin/bash',
    PATH: [LAB_BIN, dirname(process.execPath), '/usr/local/bin', '/usr/bin', '/bin'].join(':'),
    TERM: 'tmux-256color',
    COLORTERM: 'truecolor',
    LANG: 'C.UTF-8',
    LC_ALL: 'C.UTF-8',
    TMPDIR: tmpdir(),
    ...env,
  };
  const launcher = join(base, 'shell.sh');
  writeFileSync(
    launcher,
    [
      '#!/bin/sh',
      `cd ${shellQuote(cwd)}`,
      `exec env -i ${Object.entries(fullEnv)
        .map(([k, v]) => shellQuote(`${k}=${v}`))
        .join(' ')} /bin/bash --noprofile --rcfile ${shellQuote(rc)} -i`,
      '',
    ].join('\n'),
    { mode: 0o700 },
  );

  const tmux = (...args) => run('tmux', ['-L', socket, ...args]);
  await run('tmux', [
    '-L',
    socket,
    '-f',
    '/dev/null',
    'new-session',
    '-d',
    '-s',
    'lab',
    '-n',
    agent,
    '-x',
    String(cols),
    '-y',
    String(rows),
    launcher,
  ]);
  await tmux('set-option', '-g', 'status', 'off').catch(() => {});
  const pane = (await tmux('display-message', '-p', '-t', 'lab', '#{pane_id}')).trim();

  let monitor = null;
  if (mode === 'live') monitor = await startMonitor(socket, pane);

  const lab = {
    agent,
    mode,
    cols,
    rows,
    socket,
    pane,
    home,
    cwd,
    base,
    results: [],
    tmux,
    monitor,
    /** Type a command line into the shell and press Enter. */
    async run(commandLine) {
      await tmux('send-keys', '-t', pane, '-l', '--', commandLine);
      await tmux('send-keys', '-t', pane, 'Enter');
    },
    /** Literal text, no Enter. */
    async type(text) {
      await tmux('send-keys', '-t', pane, '-l', '--', text);
    },
    /** Enter, after a pause: several TUIs read a fast Enter after typed text as a newline. */
    async enter(pauseMs = 400) {
      await sleep(pauseMs);
      await tmux('send-keys', '-t', pane, 'Enter');
    },
    async send(text) {
      await lab.type(text);
      await lab.enter();
    },
    /** tmux key names: 'Escape', 'Down', 'C-c', 'Enter', … */
    async keys(...names) {
      await tmux('send-keys', '-t', pane, ...names);
    },
    async screen() {
      return tmux('capture-pane', '-p', '-J', '-t', pane);
    },
    /** Poll the screen until `pattern` (RegExp, string, or screen => bool) holds. */
    async waitFor(pattern, { timeout = 30_000, interval = 150 } = {}) {
      const test =
        typeof pattern === 'function' ? pattern : typeof pattern === 'string' ? (s) => s.includes(pattern) : (s) => pattern.test(s);
      const deadline = Date.now() + timeout;
      let s = '';
      for (;;) {
        s = await lab.screen();
        if (test(s)) return s;
        if (Date.now() > deadline) {
          throw new Error(`lab(${agent}): timed out after ${timeout} ms waiting for ${pattern}\n--- screen ---\n${s}`);
        }
        await sleep(interval);
      }
    },
    /** The pane's facts as tmux reports them. */
    async facts() {
      const fmt = [
        '#{pane_current_command}',
        '#{pane_title}',
        '#{alternate_on}',
        '#{cursor_x}',
        '#{cursor_y}',
        '#{pane_pid}',
        '#{window_activity}',
        '#{pane_dead}',
      ].join('\t');
      const [command, title, alt, cx, cy, pid, activity, dead] = (await tmux('display-message', '-p', '-t', pane, fmt))
        .replace(/\n$/, '')
        .split('\t');
      return {
        pane_current_command: command,
        pane_title: title,
        alternate_on: alt === '1',
        cursor: [Number(cx), Number(cy)],
        pane_pid: Number(pid),
        seconds_since_output: Math.max(0, Date.now() / 1000 - Number(activity)),
        dead: dead === '1',
      };
    },
    /**
     * A state reached. record: write the fixture; live: wait (≤ 5 s) for the monitor to report
     * `status` for this pane and record how long that took; drive: nothing.
     */
    async at(status, label, { agentType = agent, note } = {}) {
      if (mode === 'record') {
        const [screen, screenAnsi, facts] = await Promise.all([lab.screen(), tmux('capture-pane', '-p', '-e', '-t', pane), lab.facts()]);
        const tree = await processTree(facts.pane_pid);
        // The foreground program is the shell's child; its children are the tools it runs.
        const fg = tree.find((p) => p.ppid === facts.pane_pid);
        const children = fg ? tree.filter((p) => p.ppid === fg.pid).map((p) => p.comm) : [];
        const fixture = {
          agent,
          agent_version: agentVersion,
          label: slug(label),
          expected: { status, agent_type: agentType },
          cols,
          rows,
          screen,
          screen_ansi: screenAnsi,
          pane_current_command: facts.pane_current_command,
          pane_title: facts.pane_title,
          alternate_on: facts.alternate_on,
          cursor: facts.cursor,
          children,
          processes: tree.map((p) => p.comm),
          seconds_since_output: Math.round(facts.seconds_since_output * 10) / 10,
          captured_at: new Date().toISOString(),
          ...(note ? { note } : {}),
        };
        const dir = join(FIXTURES, agent);
        mkdirSync(dir, { recursive: true });
        const file = join(dir, `${slug(label)}.${cols}x${rows}.json`);
        writeFileSync(file, `${JSON.stringify(fixture, null, 2)}\n`);
        lab.results.push({ label: slug(label), expected: status, file });
      } else if (mode === 'live') {
        const r = await monitor.expect(status, 5_000);
        const ok = r.status === status && r.ms <= 1_000;
        lab.results.push({
          label: slug(label),
          expected: status,
          got: r.status,
          agent_type: r.agentType,
          expected_type: agentType,
          ms: r.ms,
          ok,
        });
      }
    },
    async close() {
      if (monitor) await monitor.stop();
      await tmux('kill-server').catch(() => {});
      rmSync(join(`/tmp/tmux-${process.getuid?.() ?? 0}`, socket), { force: true });
      // The CLI (or a helper it left) may still be writing into HOME for a moment after its
      // tmux server is gone: retry rather than leave the folder behind.
      if (!process.env.LAB_KEEP) rmSync(base, { recursive: true, force: true, maxRetries: 10, retryDelay: 200 });
    },
  };
  // The shell is up once its prompt shows.
  await lab.waitFor((s) => s.includes(prompt.replace('\\W', 'project').trim()), { timeout: 30_000 });
  return lab;
}

/**
 * A tmux-monitor (the bundle, no auth, a free port) on the lab's tmux server, and one client
 * following the lab pane's agent.status.
 */
async function startMonitor(socket, pane) {
  const bundle = join(REPO_ROOT, 'dist', 'tmux-monitor.mjs');
  const child = spawn(process.execPath, [bundle, 'serve', '-L', socket, '--no-auth', '--port', '0', '--quiet'], {
    cwd: REPO_ROOT,
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  const url = await new Promise((resolve, reject) => {
    let out = '';
    const timer = setTimeout(() => reject(new Error(`monitor did not start: ${out}`)), 20_000);
    child.stdout.on('data', (d) => {
      out += d;
      const m = out.match(/listening on (ws:\/\/\S+)/);
      if (m) {
        clearTimeout(timer);
        resolve(m[1]);
      }
    });
    child.on('exit', (code) => reject(new Error(`monitor exited with ${code}: ${out}`)));
  });
  const ws = new WebSocket(url);
  let status = null;
  let agentType = null;
  let changed = () => {};
  ws.on('message', (raw) => {
    const msg = JSON.parse(String(raw));
    if (msg.type === 'agent.status' && msg.pane_id === pane) {
      status = msg.data.status;
      agentType = msg.data.agent_type;
      changed();
    } else if (msg.type === 'snapshot.data') {
      for (const s of msg.data.sessions) {
        for (const w of s.windows) {
          for (const p of w.panes) {
            if (p.id === pane && status === null) {
              status = p.agent?.status ?? null;
              agentType = p.agent?.agent_type ?? null;
              changed();
            }
          }
        }
      }
    }
  });
  await new Promise((resolve, reject) => {
    ws.once('open', resolve);
    ws.once('error', reject);
  });
  ws.send(JSON.stringify({ action: 'subscribe', filters: { types: ['agent.status'], panes: [pane] } }));
  ws.send(JSON.stringify({ action: 'snapshot' }));
  return {
    url,
    get status() {
      return status;
    },
    /** Wait until the pane's status is `want`; how long it took, or what it was at the limit. */
    expect(want, limitMs) {
      const t0 = Date.now();
      return new Promise((resolve) => {
        const done = () => {
          clearTimeout(timer);
          changed = () => {};
          resolve({ status, agentType, ms: Date.now() - t0 });
        };
        const timer = setTimeout(done, limitMs);
        changed = () => {
          if (status === want) done();
        };
        if (status === want) done();
      });
    },
    async stop() {
      ws.close();
      child.kill('SIGTERM');
      await new Promise((r) => (child.exitCode !== null ? r() : child.once('exit', r)));
    },
  };
}

/** The real CLIs the walks drive, pinned to the versions the corpus was recorded with. */
export const AGENT_PACKAGES = {
  claude: '@anthropic-ai/claude-code@2.1.197',
  codex: '@openai/codex@0.171.0',
  gemini: '@google/gemini-cli@0.61.0',
  qwen: '@qwen-code/qwen-code@0.15.10',
  opencode: 'opencode-ai@1.18.33',
};
