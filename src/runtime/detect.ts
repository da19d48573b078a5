/**
 * Which runtime this is: the one place that looks (the CLI's server, the tmux process
 * shim and the bench server all ask here). Bun and Deno announce themselves with a
 * global; anything else is Node.
 */
export type RuntimeName = 'node' | 'bun' | 'deno';

export function currentRuntime(): RuntimeName {
  const g = globalThis as { Bun?: unknown; Deno?: unknown };
  if (g.Bun !== undefined) return 'bun';
  if (g.Deno !== undefined) return 'deno';
  return 'node';
}
