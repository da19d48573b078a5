/**
 * A private tmux server for tests: `tmux -L test-<random> -f /dev/null`, one detached
 * session (`main`, 200x50) to start with. Never touches the default server.
 */
import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { renameSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export interface TestTmux {
  socketName: string;
  /** Run `tmux -L socketName ...args`; resolves with stdout, rejects on a non-zero exit. */
  tmux(...args: string[]): Promise<string>;
  /** Kill the server (ignores "no server"). */
  kill(): Promise<void>;
}

export interface StartTmuxOptions {
  /** Name of the first session (default `main`). */
  session?: string;
  /** Command for the first pane (default: a plain bash with a `$ ` prompt). */
  command?: string;
  width?: number;
  height?: number;
}

function env(): NodeJS.ProcessEnv {
  const e = { ...process.env };
  delete e.TMUX;
  delete e.TMUX_PANE;
  return e;
}

export function tmuxCommand(socketName: string, args: string[]): Promise<string> {
  return new Promise((resolve, reject) => {
    execFile('tmux', ['-L', socketName, ...args], { env: env(), timeout: 10_000 }, (err, stdout, stderr) => {
      if (err) reject(new Error(`tmux ${args.join(' ')}: ${stderr || err.message}`));
      else resolve(stdout);
    });
  });
}

/** A plain, quiet shell (only a one-line rc file: prompt `$ `): fast to start, predictable screens. */
const RC_FILE = join(tmpdir(), 'tmux-monitor-test-bashrc');
// Test files import this side by side: written whole under another name and renamed into
// place, so that a shell starting meanwhile never reads a file another worker just truncated.
const rcTemp = `${RC_FILE}.${process.pid}`;
writeFileSync(rcTemp, "PS1='$ '\n");
renameSync(rcTemp, RC_FILE);
export const PLAIN_SHELL = `bash --rcfile ${RC_FILE} --noprofile`;

export async function startTmux(options: StartTmuxOptions = {}): Promise<TestTmux> {
  const socketName = `test-${randomBytes(6).toString('hex')}`;
  const tmux = (...args: string[]): Promise<string> => tmuxCommand(socketName, args);
  // One tmux invocation: start the server, make every new pane a plain shell, then the session.
  await tmuxCommand(socketName, [
    '-f',
    '/dev/null',
    'start-server',
    ';',
    'set-option',
    '-g',
    'default-command',
    PLAIN_SHELL,
    ';',
    'new-session',
    '-d',
    '-s',
    options.session ?? 'main',
    '-x',
    String(options.width ?? 200),
    '-y',
    String(options.height ?? 50),
    options.command ?? PLAIN_SHELL,
  ]);
  return {
    socketName,
    tmux,
    kill: () => killTmuxServer(socketName),
  };
}

const alive = (pid: number): boolean => {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
};

/**
 * Kills a private tmux server and waits until its process is gone (ignores "no server").
 * kill-server answers before the server has gone, and a tmux 3.3a server can wait forever
 * for control clients whose reader has died (seen after a monitor was stopped at the same
 * moment): after 5 s the server and its clients are killed outright. Then its socket file,
 * which tmux leaves behind, is removed.
 */
export async function killTmuxServer(socketName: string): Promise<void> {
  const found = await tmuxCommand(socketName, ['display-message', '-p', '#{pid} #{socket_path}']).catch(() => '');
  const [pidText, socketPath] = found.trim().split(' ');
  const clients = await tmuxCommand(socketName, ['list-clients', '-F', '#{client_pid}']).catch(() => '');
  await tmuxCommand(socketName, ['kill-server']).catch(() => {});
  const pid = Number(pidText);
  if (!Number.isInteger(pid) || pid <= 0) return;
  const deadline = Date.now() + 5000;
  while (alive(pid) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
  if (alive(pid)) {
    for (const stuck of [
      pid,
      ...clients
        .split('\n')
        .map(Number)
        .filter((n) => n > 0),
    ]) {
      try {
        process.kill(stuck, 'SIGKILL');
      } catch {
        // Gone meanwhile.
      }
    }
  }
  if (socketPath) rmSync(socketPath, { force: true });
}
