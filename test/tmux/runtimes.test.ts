/**
 * The tmux source bundled by esbuild into one .mjs (platform node, format esm) runs under
 * node, bun and `deno run -A`, each loading only its own process implementation.
 */
import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTmux, type TestTmux } from '../helpers/tmux.ts';

const root = fileURLToPath(new URL('../../', import.meta.url));
const dir = mkdtempSync(join(tmpdir(), 'tmux-monitor-runtimes-'));
const bundle = join(dir, 'entry.mjs');
let t: TestTmux;

beforeAll(async () => {
  await build({
    entryPoints: [fileURLToPath(new URL('./fixtures/runtime-entry.ts', import.meta.url))],
    bundle: true,
    platform: 'node',
    format: 'esm',
    outfile: bundle,
    logLevel: 'silent',
  });
  t = await startTmux();
});

afterAll(async () => {
  await t?.kill();
  rmSync(dir, { recursive: true, force: true });
});

function runIn(cmd: string, args: string[]): Promise<string> {
  return new Promise((resolve, reject) => {
    const env: NodeJS.ProcessEnv = { ...process.env, NO_COLOR: '1', DENO_NO_UPDATE_CHECK: '1' };
    delete env.TMUX;
    execFile(cmd, args, { env, timeout: 40_000, cwd: dir }, (err, stdout, stderr) => {
      if (err) reject(new Error(`${cmd} failed: ${err.message}\n${stderr}`));
      else resolve(stdout);
    });
  });
}

const runtimes: [string, string, string[]][] = [
  ['node', process.execPath, []],
  ['bun', join(root, 'node_modules/.bin/bun'), []],
  ['deno', join(root, 'node_modules/.bin/deno'), ['run', '-A', '--quiet']],
];

describe('the bundled source on each runtime', () => {
  it('bundles the runtime modules lazily (dynamic imports only)', () => {
    const code = readFileSync(bundle, 'utf8');
    expect(code).not.toMatch(/^import .* from ["']node:child_process["']/m);
    expect(code).toContain('import("node:child_process")');
  });

  it.each(runtimes)(
    '%s',
    async (name, cmd, pre) => {
      const out = await runIn(cmd, [...pre, bundle, t.socketName]);
      const result = JSON.parse(out.trim().split('\n').pop()!);
      expect(result).toMatchObject({ runtime: name, connected: true, output: true, sessions: ['main'] });
      expect(result.tmux).toMatch(/^tmux \d/);
      expect(result.content).toContain(`runtime-${name}-42`);
    },
    60_000,
  );
});
