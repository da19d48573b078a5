/** Stopping a child process a test started, the same way everywhere. */
import type { ChildProcess } from 'node:child_process';

/** How long a signalled child may take before it is killed outright. */
const GRACE_MS = 5000;

/**
 * Sends `signal` to `child` (unless it has already exited) and waits for `exited`, the
 * promise its `exit` event settles. A child still running `GRACE_MS` later is sent SIGKILL:
 * that timer is a fallback for a hung child, not a wait, and is cleared once it exits.
 */
export async function stopChild<T>(child: ChildProcess, exited: Promise<T>, signal: NodeJS.Signals = 'SIGTERM'): Promise<T> {
  if (child.exitCode === null && child.signalCode === null) child.kill(signal);
  const fallback = setTimeout(() => child.kill('SIGKILL'), GRACE_MS);
  try {
    return await exited;
  } finally {
    clearTimeout(fallback);
  }
}
