/**
 * The ways to run tmux-monitor that the test matrix covers: each runtime, from the
 * TypeScript source (Bun, Deno) and from the single-file bundle (all three). Binaries are
 * called by path: Bun and Deno come from their npm packages (devDependencies).
 */
import { fileURLToPath } from 'node:url';

export const ROOT = fileURLToPath(new URL('../..', import.meta.url));
export const BUNDLE = `${ROOT}dist/tmux-monitor.mjs`;
export const SOURCE_MAIN = `${ROOT}src/runtime/main.ts`;
export const BUN = `${ROOT}node_modules/bun/bin/bun.exe`;
export const DENO = `${ROOT}node_modules/deno/deno`;

export type RuntimeName = 'node' | 'bun' | 'deno';

export interface RuntimeTarget {
  /** e.g. "bun (bundle)" */
  label: string;
  runtime: RuntimeName;
  from: 'source' | 'bundle';
  /** The command line before the CLI's own arguments. */
  command: string;
  args: string[];
  env: Record<string, string>;
}

function target(runtime: RuntimeName, from: 'source' | 'bundle'): RuntimeTarget {
  const entry = from === 'bundle' ? BUNDLE : SOURCE_MAIN;
  const base = { label: `${runtime} (${from})`, runtime, from, env: {} as Record<string, string> };
  switch (runtime) {
    case 'node':
      return { ...base, command: process.execPath, args: [entry] };
    case 'bun':
      return { ...base, command: BUN, args: [entry] };
    case 'deno':
      return { ...base, command: DENO, args: ['run', '-A', entry], env: { DENO_NO_UPDATE_CHECK: '1', NO_COLOR: '1' } };
  }
}

/** Node 20 cannot run the TypeScript source (vitest runs it in-process instead). */
export const TARGETS = {
  nodeBundle: target('node', 'bundle'),
  bunSource: target('bun', 'source'),
  bunBundle: target('bun', 'bundle'),
  denoSource: target('deno', 'source'),
  denoBundle: target('deno', 'bundle'),
} as const;

/** One target per runtime, for the per-runtime tests (the bundle: what users run). */
export const BUNDLE_TARGETS: RuntimeTarget[] = [TARGETS.nodeBundle, TARGETS.bunBundle, TARGETS.denoBundle];
