/**
 * Private tmux servers for the bench: `tmux -L bench-<random> -f /dev/null`, never the
 * default server. Every one started is killed on exit.
 */
import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const live = new Set();

function env() {
  const e = { ...process.env };
  delete e.TMUX;
  delete e.TMUX_PANE;
  return e;
}

export function tmuxCommand(socket, args, timeoutMs = 10_000) {
  return new Promise((resolve, reject) => {
    execFile('tmux', ['-L', socket, ...args], { env: env(), timeout: timeoutMs }, (error, stdout, stderr) => {
      if (error) reject(new Error(`tmux ${args.join(' ')}: ${stderr || error.message}`));
      else resolve(stdout);
    });
  });
}

const RC_FILE = join(tmpdir(), 'tmux-monitor-bench-bashrc');
writeFileSync(RC_FILE, "PS1='$ '\n");
/** A plain, quiet shell: fast to start, nothing running. */
export const PLAIN_SHELL = `bash --rcfile ${RC_FILE} --noprofile`;

export async function startTmux({ session = 'bench', width = 200, height = 50, command = PLAIN_SHELL } = {}) {
  const socket = `bench-${randomBytes(6).toString('hex')}`;
  await tmuxCommand(socket, [
    '-f',
    '/dev/null',
    'start-server',
    ';',
    'set-option',
    '-g',
    'default-command',
    PLAIN_SHELL,
    ';',
    'set-option',
    '-g',
    'history-limit',
    '2000',
    ';',
    'new-session',
    '-d',
    '-s',
    session,
    '-x',
    String(width),
    '-y',
    String(height),
    command,
  ]);
  live.add(socket);
  const tmux = (...args) => tmuxCommand(socket, args);
  const [pid, socketPath] = (await tmux('display-message', '-p', '#{pid} #{socket_path}')).trim().split(' ');
  return {
    socket,
    session,
    pid: Number(pid),
    tmux,
    async kill() {
      live.delete(socket);
      await tmuxCommand(socket, ['kill-server']).catch(() => {});
      // tmux leaves its socket file behind; the next bench server gets another name anyway.
      if (socketPath) rmSync(socketPath, { force: true });
    },
  };
}

export async function tmuxVersion() {
  return new Promise((resolve) => execFile('tmux', ['-V'], (e, out) => resolve(e ? null : out.trim())));
}

/** Synchronous cleanup for process exit: kill every bench tmux server still up. */
export function killAllTmux(execFileSync) {
  for (const socket of live) {
    try {
      execFileSync('tmux', ['-L', socket, 'kill-server'], { stdio: 'ignore', timeout: 3000 });
    } catch {
      // already gone
    }
  }
  live.clear();
}
