/**
 * A person's tmux client: `tmux attach` in a pseudo-terminal (via `script`), as a terminal
 * would run it. Not a control client, so tmux-monitor counts it as someone looking.
 */
import { spawn, type ChildProcess } from 'node:child_process';

export interface AttachedClient {
  child: ChildProcess;
  detach(): Promise<void>;
}

export function attachClient(socketName: string, session: string): AttachedClient {
  const env: NodeJS.ProcessEnv = { ...process.env, TERM: 'xterm-256color' };
  delete env.TMUX;
  delete env.TMUX_PANE;
  const child = spawn('script', ['-qc', `tmux -L ${socketName} attach -t ${session}`, '/dev/null'], {
    env,
    stdio: ['pipe', 'ignore', 'ignore'],
  });
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  return {
    child,
    async detach() {
      if (child.exitCode !== null || child.signalCode !== null) return;
      child.kill('SIGTERM');
      await exited;
    },
  };
}
