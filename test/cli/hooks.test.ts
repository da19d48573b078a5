/**
 * `tmux-monitor hooks`: install, uninstall, status and --dry-run on private HOME folders (the
 * user's own settings and hooks survive, backups, modes, the agents' own variables), and the
 * installed hook commands run as the agents run them (`sh -c`, their JSON on stdin, TMUX and
 * TMUX_PANE set) inside a private tmux server, seen as agent.status by a real monitor.
 */
import { spawn } from 'node:child_process';
import {
  chmodSync,
  existsSync,
  lstatSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  statSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { AGENTS, hooksCommand } from '../../src/cli/hooks/command.ts';
import { createTmuxSource, type TmuxSource } from '../../src/tmux/index.ts';
import { startServer, type TestServer } from '../helpers/server.ts';
import { startTmux, type TestTmux } from '../helpers/tmux.ts';
import { TestClient } from '../helpers/ws-client.ts';

const homes: string[] = [];
afterAll(() => {
  for (const h of homes) rmSync(h, { recursive: true, force: true });
});

function newHome(): string {
  const h = mkdtempSync(join(tmpdir(), 'tm-hooks-'));
  homes.push(h);
  return h;
}

async function hooks(home: string, args: string[], env: Record<string, string> = {}) {
  let stdout = '';
  let stderr = '';
  const io = { env, stdout: (s: string) => (stdout += s), stderr: (s: string) => (stderr += s), isTTY: false };
  const code = await hooksCommand(args, io, { env, home });
  return { code, stdout, stderr };
}

function write(path: string, text: string, mode = 0o644): void {
  mkdirSync(dirname(path), { recursive: true });
  writeFileSync(path, text);
  chmodSync(path, mode);
}

const json = (path: string) => JSON.parse(readFileSync(path, 'utf8'));
const mode = (path: string) => statSync(path).mode & 0o777;
const backups = (dir: string) => readdirSync(dir).filter((f) => f.includes('.tmux-monitor.') && f.endsWith('.bak'));

const USER_SETTINGS = {
  model: 'opus',
  env: { SOME_TOKEN: 'keep-me' },
  hooks: {
    Stop: [{ hooks: [{ type: 'command', command: 'notify-send done' }] }],
    PreToolUse: [{ matcher: 'Bash', hooks: [{ type: 'command', command: './check.sh' }] }],
  },
};

describe('hooks install / uninstall on a temp HOME', () => {
  it("claude: adds only its entries after the user's, keeps the rest, backs up, keeps the mode, prints what it wrote", async () => {
    const home = newHome();
    const file = join(home, '.claude', 'settings.json');
    const original = JSON.stringify(USER_SETTINGS, null, 4) + '\n';
    write(file, original, 0o600);

    const r = await hooks(home, ['install', 'claude']);
    expect(r.code).toBe(0);
    expect(r.stderr).toBe('');
    const after = json(file);
    expect(after.model).toBe('opus');
    expect(after.env).toEqual({ SOME_TOKEN: 'keep-me' });
    // The user's hooks come first and are unchanged.
    expect(after.hooks.Stop[0]).toEqual(USER_SETTINGS.hooks.Stop[0]);
    expect(after.hooks.PreToolUse[0]).toEqual(USER_SETTINGS.hooks.PreToolUse[0]);
    for (const event of [
      'UserPromptSubmit',
      'PreToolUse',
      'PostToolUse',
      'PermissionRequest',
      'Notification',
      'Stop',
      'StopFailure',
      'SessionEnd',
    ]) {
      expect(after.hooks[event], event).toBeDefined();
    }
    // The file keeps its indentation and mode; the backup is the original.
    expect(readFileSync(file, 'utf8')).toContain('\n    "model"');
    expect(mode(file)).toBe(0o600);
    expect(readFileSync(`${file}.tmux-monitor.bak`, 'utf8')).toBe(original);
    expect(mode(`${file}.tmux-monitor.bak`)).toBe(0o600);
    // Every line it printed is an entry that is now in the file.
    expect(r.stdout).toContain(`installed into ${file} (backup: ${file}.tmux-monitor.bak)`);
    const added = r.stdout.split('\n').filter((l) => l.startsWith('  + '));
    expect(added.length).toBeGreaterThan(10);
    for (const line of added) {
      const m = /^ {2}\+ hooks\.(\w+): (.*)$/.exec(line)!;
      expect(after.hooks[m[1]!]).toContainEqual(JSON.parse(m[2]!));
    }

    const status = await hooks(home, ['status', 'claude']);
    expect(status.stdout).toMatch(/^claude: installed \(/);
  });

  it('is idempotent: a second install changes nothing and makes no backup', async () => {
    const home = newHome();
    const file = join(home, '.claude', 'settings.json');
    write(file, JSON.stringify(USER_SETTINGS));
    await hooks(home, ['install', 'claude']);
    const once = readFileSync(file, 'utf8');
    const r = await hooks(home, ['install', 'claude']);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('already installed');
    expect(readFileSync(file, 'utf8')).toBe(once);
    expect(backups(dirname(file))).toHaveLength(1);
  });

  it("uninstall removes only ours (the user's hooks and settings stay), with a second backup that keeps the first", async () => {
    const home = newHome();
    const file = join(home, '.claude', 'settings.json');
    write(file, JSON.stringify(USER_SETTINGS, null, 2));
    await hooks(home, ['install', 'claude']);
    // The user adds a hook of their own afterwards, next to ours.
    const edited = json(file);
    edited.hooks.UserPromptSubmit.push({ hooks: [{ type: 'command', command: 'log-prompt' }] });
    writeFileSync(file, JSON.stringify(edited, null, 2));

    const r = await hooks(home, ['uninstall', 'claude']);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain(`removed from ${file}`);
    expect(r.stdout.split('\n').filter((l) => l.startsWith('  - ')).length).toBeGreaterThan(10);
    expect(json(file)).toEqual({
      ...USER_SETTINGS,
      hooks: { ...USER_SETTINGS.hooks, UserPromptSubmit: [{ hooks: [{ type: 'command', command: 'log-prompt' }] }] },
    });
    expect(backups(dirname(file))).toHaveLength(2);
    expect(readFileSync(`${file}.tmux-monitor.bak`, 'utf8')).toBe(JSON.stringify(USER_SETTINGS, null, 2));
    expect((await hooks(home, ['status', 'claude'])).stdout).toMatch(/^claude: not installed/);
    expect((await hooks(home, ['uninstall', 'claude'])).stdout).toContain('not installed');
  });

  it('uninstall after installing into no file leaves an empty settings object, not our entries', async () => {
    const home = newHome();
    const r = await hooks(home, ['install', 'qwen']);
    const file = join(home, '.qwen', 'settings.json');
    expect(r.stdout).toContain('(new file)');
    expect(mode(file)).toBe(0o644);
    await hooks(home, ['uninstall', 'qwen']);
    expect(json(file)).toEqual({});
  });

  it('--dry-run prints the same entries and changes nothing', async () => {
    const home = newHome();
    const file = join(home, '.gemini', 'settings.json');
    write(file, '{"general": {"vimMode": true}}\n');
    const dry = await hooks(home, ['install', '--dry-run', 'gemini']);
    expect(dry.code).toBe(0);
    expect(dry.stdout).toContain(`gemini: would install into ${file}`);
    expect(readFileSync(file, 'utf8')).toBe('{"general": {"vimMode": true}}\n');
    expect(backups(dirname(file))).toHaveLength(0);
    const real = await hooks(home, ['install', 'gemini']);
    const entries = (out: string) => out.split('\n').filter((l) => l.startsWith('  + '));
    expect(entries(real.stdout)).toEqual(entries(dry.stdout));
    expect(json(file).general).toEqual({ vimMode: true });
    expect(json(file).hooks.BeforeAgent[0].hooks[0]).toMatchObject({ type: 'command', name: 'tmux-monitor' });
  });

  it('honours CLAUDE_CONFIG_DIR, CODEX_HOME, GEMINI_CLI_HOME and QWEN_HOME', async () => {
    const home = newHome();
    const elsewhere = newHome();
    const env = {
      CLAUDE_CONFIG_DIR: join(elsewhere, 'claude'),
      CODEX_HOME: join(elsewhere, 'codex'),
      GEMINI_CLI_HOME: join(elsewhere, 'g'),
      QWEN_HOME: join(elsewhere, 'q'),
    };
    const r = await hooks(home, ['install', 'all'], env);
    expect(r.code).toBe(0);
    expect(existsSync(join(elsewhere, 'claude', 'settings.json'))).toBe(true);
    expect(existsSync(join(elsewhere, 'g', '.gemini', 'settings.json'))).toBe(true);
    expect(existsSync(join(elsewhere, 'q', 'settings.json'))).toBe(true);
    expect(existsSync(join(elsewhere, 'codex', 'hooks.json'))).toBe(true);
    expect(readdirSync(home)).toEqual([]);
    const status = await hooks(home, ['status'], env);
    expect(status.stdout.match(/: installed \(/g)).toHaveLength(AGENTS.length);
  });

  it('writes through a symlinked settings file and keeps the link', async () => {
    const home = newHome();
    const target = join(home, 'dotfiles', 'claude-settings.json');
    write(target, '{"theme": "dark"}');
    mkdirSync(join(home, '.claude'));
    symlinkSync(target, join(home, '.claude', 'settings.json'));
    await hooks(home, ['install', 'claude']);
    expect(lstatSync(join(home, '.claude', 'settings.json')).isSymbolicLink()).toBe(true);
    expect(json(target).hooks.Stop).toBeDefined();
    expect(json(target).theme).toBe('dark');
  });

  it('refuses a file that is not JSON (and leaves it alone); unknown agents and actions are usage errors', async () => {
    const home = newHome();
    const file = join(home, '.claude', 'settings.json');
    write(file, '{ "model": "opus", // a comment\n}');
    const r = await hooks(home, ['install', 'claude']);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/^claude: .*settings\.json is not valid JSON/);
    expect(readFileSync(file, 'utf8')).toBe('{ "model": "opus", // a comment\n}');
    await expect(hooks(home, ['install', 'vim'])).rejects.toThrow(/unknown agent "vim"/);
    await expect(hooks(home, ['install'])).rejects.toThrow(/name the agents/);
    await expect(hooks(home, ['frobnicate', 'claude'])).rejects.toThrow(/unknown hooks action/);
  });
});

// --- the hook commands, run as the agents run them, against a real tmux and monitor ---------

interface Group {
  matcher?: string;
  hooks: { type: string; command: string }[];
}

/** The commands an agent runs for an event whose matched field has `value` (exact or pattern). */
function commandsFor(settings: { hooks: Record<string, Group[]> }, event: string, value?: string): string[] {
  return (settings.hooks[event] ?? [])
    .filter((g) => g.matcher === undefined || g.matcher === '*' || (value !== undefined && new RegExp(`^(?:${g.matcher})$`).test(value)))
    .flatMap((g) => g.hooks.map((h) => h.command));
}

/** `sh -c COMMAND` with the JSON on stdin, as the agents spawn hooks. */
function runHook(command: string, input: object, env: Record<string, string | undefined>): Promise<{ code: number | null; out: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn('/bin/sh', ['-c', command], { env: env as NodeJS.ProcessEnv, stdio: ['pipe', 'pipe', 'pipe'] });
    let out = '';
    child.stdout.on('data', (d) => (out += d));
    child.stderr.on('data', (d) => (out += d));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, out }));
    child.stdin.on('error', () => {});
    child.stdin.end(JSON.stringify(input));
  });
}

describe('installed hooks in a real tmux pane', () => {
  let t: TestTmux;
  let server: TestServer<TmuxSource>;
  let client: TestClient;
  let pane: string;
  let tmuxEnv: Record<string, string | undefined>;

  beforeAll(async () => {
    t = await startTmux();
    server = await startServer({ source: createTmuxSource({ socketName: t.socketName }) });
    await server.source.ready();
    client = await TestClient.authed(server.url, await server.token());
    await client.request({ action: 'subscribe', filters: { types: ['agent.status'] } });
    pane = (await t.tmux('display', '-p', '-t', 'main', '#{pane_id}')).trim();
    const [socket, pid] = (await t.tmux('display', '-p', '#{socket_path} #{pid}')).trim().split(' ');
    // What a program running in that pane has: TMUX (socket,server pid,session) and TMUX_PANE.
    tmuxEnv = { PATH: process.env.PATH, TMUX: `${socket},${pid},0`, TMUX_PANE: pane };
  });

  afterEach(async () => {
    // Back to a plain shell pane (ready) for the next agent.
    if ((await t.tmux('show-options', '-p', '-t', pane, '-v', '@agent_state').catch(() => '')).trim() === '') return;
    await t.tmux('set-option', '-p', '-t', pane, '-u', '@agent_state');
    await client.next((m) => m.type === 'agent.status' && m.pane_id === pane && m.data.status === 'ready', 8000);
  });

  afterAll(async () => {
    await client?.close();
    await server?.close();
    await t?.kill();
  });

  /** Runs the hooks of each step, as the agent would, and waits for the monitor's agent.status. */
  /** A step's status comes from the hook (`@agent_state`), or from the screen where the hook unsets it (`screen: ...`). */
  async function walk(agent: string, steps: [event: string, value: string | undefined, payload: object, status: string][]) {
    const home = newHome();
    await hooks(home, ['install', agent]);
    const a = AGENTS.find((x) => x.name === agent)!;
    const settings = json(a.configPath({ env: {}, home }));
    for (const [event, value, payload, expected] of steps) {
      const fromScreen = expected.startsWith('screen: ');
      const status = expected.replace('screen: ', '');
      const commands = commandsFor(settings, event, value);
      expect(commands.length, `${agent} ${event} ${value ?? ''}`).toBeGreaterThan(0);
      for (const command of commands) {
        const r = await runHook(command, { hook_event_name: event, session_id: 's1', cwd: home, ...payload }, tmuxEnv);
        expect(r).toEqual({ code: 0, out: '' });
      }
      if (expected.startsWith('still: ')) {
        // The hook ran (synchronously) and left the option as it was.
        expect((await t.tmux('show-options', '-p', '-t', pane, '-v', '@agent_state')).trim()).toBe(expected.replace('still: ', ''));
        continue;
      }
      const seen = await client
        .next((m) => m.type === 'agent.status' && m.pane_id === pane && m.data.status === status, 8000)
        .catch((e: Error) => {
          throw new Error(`${agent} ${event} ${value ?? ''}: no agent.status ${status}: ${e.message.slice(0, 300)}`);
        });
      if (fromScreen) expect(seen.data.reason).not.toBe('@agent_state');
      else expect(seen.data.reason).toBe('@agent_state');
    }
  }

  it('claude: prompt → busy, permission → the screen, tool done → busy, stop → ready, API error → error, MCP question → waiting, exit → exited', async () => {
    await walk('claude', [
      ['UserPromptSubmit', undefined, { prompt: 'list files' }, 'busy'],
      // The hook hands over to the screen: here a plain shell prompt, so ready.
      ['PermissionRequest', 'Bash', { tool_name: 'Bash', tool_input: { command: 'ls' } }, 'screen: ready'],
      ['PostToolUse', 'Bash', { tool_name: 'Bash', tool_input: { command: 'ls' }, tool_response: {} }, 'busy'],
      ['Stop', undefined, { stop_hook_active: false }, 'ready'],
      ['UserPromptSubmit', undefined, { prompt: 'again' }, 'busy'],
      ['StopFailure', 'server_error', { error: 'server_error' }, 'error'],
      ['Elicitation', undefined, { mcp_server_name: 'db', message: 'Which table?' }, 'waiting'],
      ['ElicitationResult', undefined, { mcp_server_name: 'db', action: 'accept' }, 'busy'],
      ['Notification', 'elicitation_dialog', { notification_type: 'elicitation_dialog', message: 'db asks' }, 'waiting'],
      ['Notification', 'idle_prompt', { notification_type: 'idle_prompt', message: 'Claude is waiting for your input' }, 'ready'],
      ['StopFailure', 'rate_limit', { error: 'rate_limit' }, 'error'],
      // An idle reminder after a failed turn does not hide the error.
      ['Notification', 'idle_prompt', { notification_type: 'idle_prompt', message: 'Claude is waiting for your input' }, 'still: error'],
      ['SessionEnd', 'prompt_input_exit', { reason: 'prompt_input_exit' }, 'exited'],
    ]);
  });

  it('gemini: BeforeAgent → busy, Notification (ToolPermission) → the screen, AfterTool → busy, AfterAgent → the screen, SessionEnd → exited', async () => {
    await walk('gemini', [
      ['BeforeAgent', undefined, { prompt: 'list files' }, 'busy'],
      ['Notification', undefined, { notification_type: 'ToolPermission', message: 'run_shell_command', details: {} }, 'screen: ready'],
      ['AfterTool', 'run_shell_command', { tool_name: 'run_shell_command', tool_input: {}, tool_response: {} }, 'busy'],
      // The end of a turn hands over to the screen (ready or an error banner): a plain shell here.
      ['AfterAgent', undefined, { prompt: 'list files', prompt_response: 'done' }, 'screen: ready'],
      ['BeforeAgent', undefined, { prompt: 'again' }, 'busy'],
      ['SessionEnd', 'exit', { reason: 'exit' }, 'exited'],
    ]);
  });

  it('qwen: prompt → busy, permission → the screen, tool → busy, StopFailure → error, Stop → ready, exit → exited', async () => {
    await walk('qwen', [
      ['UserPromptSubmit', undefined, { prompt: 'list files' }, 'busy'],
      ['PermissionRequest', 'run_shell_command', { tool_name: 'run_shell_command' }, 'screen: ready'],
      ['PostToolUse', 'run_shell_command', { tool_name: 'run_shell_command' }, 'busy'],
      ['StopFailure', 'server_error', { error: 'server_error' }, 'error'],
      // Qwen Code fires Stop after StopFailure: the error stays.
      ['Stop', undefined, {}, 'still: error'],
      ['UserPromptSubmit', undefined, { prompt: 'again' }, 'busy'],
      ['Stop', undefined, {}, 'ready'],
      ['SessionEnd', 'prompt_input_exit', { reason: 'prompt_input_exit' }, 'exited'],
    ]);
  });

  it('codex: prompt → busy, a failed model request → the screen (a retry or the error banner), Stop → ready, Esc → ready, exit → exited', async () => {
    await walk('codex', [
      ['UserPromptSubmit', undefined, { prompt: 'list files', turn_id: 't1' }, 'busy'],
      ['PostModelRequest', undefined, { kind: 'sampling', status: 'completed', error: null }, 'still: busy'],
      ['PostModelRequest', undefined, { kind: 'sampling', status: 'failed', error: '{"error":{"message":"bad"}}' }, 'screen: ready'],
      ['UserPromptSubmit', undefined, { prompt: 'again', turn_id: 't2' }, 'busy'],
      ['PreToolUse', undefined, { tool_name: 'exec_command', tool_input: {} }, 'still: busy'],
      ['Stop', undefined, { stop_hook_active: false, last_assistant_message: 'done' }, 'ready'],
      ['UserPromptSubmit', undefined, { prompt: 'more', turn_id: 't3' }, 'busy'],
      ['Interrupt', undefined, {}, 'ready'],
      ['SessionEnd', undefined, { reason: 'exit' }, 'exited'],
    ]);
  });

  it('outside tmux, or with tmux gone, a hook does nothing, prints nothing and exits 0', async () => {
    const home = newHome();
    await hooks(home, ['install', 'claude']);
    const [command] = commandsFor(json(join(home, '.claude', 'settings.json')), 'UserPromptSubmit');
    expect(await runHook(command!, { prompt: 'x' }, { PATH: process.env.PATH })).toEqual({ code: 0, out: '' });
    const gone = { PATH: process.env.PATH, TMUX: '/nonexistent/socket,1,0', TMUX_PANE: '%0' };
    expect(await runHook(command!, { prompt: 'x' }, gone)).toEqual({ code: 0, out: '' });
    expect(await runHook(command!, { prompt: 'x' }, { PATH: '/nonexistent', TMUX: tmuxEnv.TMUX, TMUX_PANE: pane })).toEqual({
      code: 0,
      out: '',
    });
  });
});

// --- the program as a user runs it (the bundle) -------------------------------------------------

describe("tmux-monitor hooks, and serve's tmux hook, through the bundle", () => {
  const BUNDLE = 'dist/tmux-monitor.mjs';

  function cli(args: string[], env: Record<string, string>) {
    return new Promise<{ code: number | null; stdout: string; stderr: string }>((resolve) => {
      const child = spawn(process.execPath, [BUNDLE, ...args], {
        env: { PATH: process.env.PATH, ...env },
        stdio: ['ignore', 'pipe', 'pipe'],
      });
      let stdout = '';
      let stderr = '';
      child.stdout.on('data', (d) => (stdout += d));
      child.stderr.on('data', (d) => (stderr += d));
      child.on('close', (code) => resolve({ code, stdout, stderr }));
    });
  }

  it('hooks install / status / usage errors', async () => {
    const home = newHome();
    const dry = await cli(['hooks', 'install', '--dry-run', 'claude'], { HOME: home });
    expect(dry.code).toBe(0);
    expect(dry.stdout).toContain(`claude: would install into ${home}/.claude/settings.json`);
    expect(existsSync(join(home, '.claude'))).toBe(false);
    expect((await cli(['hooks', 'install', 'codex'], { HOME: home })).code).toBe(0);
    const status = await cli(['hooks', 'status'], { HOME: home });
    expect(status.stdout).toMatch(/^codex: installed \(/m);
    expect(status.stdout).toMatch(/^claude: not installed/m);
    const bad = await cli(['hooks', 'install', 'nano'], { HOME: home });
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain('unknown agent "nano"');
    expect((await cli(['hooks', '--help'], { HOME: home })).stdout).toContain('Usage: tmux-monitor hooks');
  });

  for (const signal of ['SIGTERM', 'SIGINT'] as const) {
    it(`serve adds its tmux hook after the user's and removes it on ${signal}`, async () => {
      const t = await startTmux();
      try {
        await t.tmux('set-hook', '-g', 'after-set-option', 'set-environment -g MINE 1');
        const child = spawn(process.execPath, [BUNDLE, 'serve', '-L', t.socketName, '--port', '0', '--no-auth', '--quiet'], {
          env: { ...process.env, TMUX: '', TMUX_PANE: '' },
          stdio: ['ignore', 'pipe', 'pipe'],
        });
        const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
        const hooksNow = async () => (await t.tmux('show-hooks', '-g', 'after-set-option')).trim().split('\n');
        const deadline = Date.now() + 15_000;
        while ((await hooksNow()).length < 2 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 100));
        const installed = await hooksNow();
        expect(installed[0]).toBe('after-set-option[0] set-environment -g MINE 1');
        expect(installed[1]).toMatch(/^after-set-option\[1\] .*wait-for -S tmux-monitor-state-\d+/);
        child.kill(signal);
        expect(await exited).toBe(0);
        expect(await hooksNow()).toEqual(['after-set-option[0] set-environment -g MINE 1']);
        // None of its control clients (the waiting signal client included) is left behind.
        expect((await t.tmux('list-clients', '-F', '#{client_pid}')).trim()).toBe('');
      } finally {
        await t.kill();
      }
    });
  }
});
