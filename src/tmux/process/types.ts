/**
 * The one process interface the tmux code uses. Three implementations (Node, Bun, Deno)
 * live beside this file; nothing else in the project touches process APIs.
 */
export interface ChildProcess {
  readonly pid: number | undefined;
  /** stdout, as it arrives. Read it without pause: tmux stalls panes for a client that stops reading. */
  readonly stdout: AsyncIterable<Uint8Array>;
  /** Queue bytes (or UTF-8 text) for stdin. Never blocks; errors after exit are ignored. */
  write(data: Uint8Array | string): void;
  /** Close stdin (tmux -C exits on EOF). */
  closeStdin(): void;
  /** Resolves with the exit code (null when killed by a signal, -1 when it could not start). */
  readonly exited: Promise<number | null>;
  kill(signal?: 'SIGTERM' | 'SIGKILL'): void;
}

export interface SpawnOptions {
  /** Extra environment variables (merged over the current environment). */
  env?: Record<string, string>;
  /** Variables to remove from the child's environment (e.g. TMUX, so tmux does not refuse to nest). */
  unsetEnv?: string[];
}

export interface RunResult {
  code: number | null;
  stdout: string;
  stderr: string;
}

export interface ProcessApi {
  spawn(cmd: string, args: string[], options?: SpawnOptions): ChildProcess;
  run(cmd: string, args: string[], options?: SpawnOptions & { input?: string; timeoutMs?: number }): Promise<RunResult>;
}
