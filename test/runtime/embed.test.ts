/**
 * The embedding examples, run as documented (docs/embedding.md) on their runtime: a host
 * Hono app with its own routes and the monitor mounted under /tmux, watching a private
 * tmux server. Bun and Deno run the .ts file against the TypeScript source; Node runs the
 * example compiled by esbuild against the library build (scripts/build-lib.mjs: unbundled
 * ES modules and .d.ts files), after type-checking the example against those .d.ts files.
 * Also Deno's own test runner over test/deno/ (`deno task test`).
 */
import { execFileSync, spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { build } from 'esbuild';
import { signToken } from '../../src/auth/signer.ts';
import type { SessionSnapshot } from '../../src/protocol/snapshot.ts';
import { BUN, DENO, ROOT } from '../helpers/runtimes.ts';
import { startTmux, type TestTmux } from '../helpers/tmux.ts';
import { TestClient } from '../helpers/ws-client.ts';

const WORK = `${ROOT}dist/test-embed-${process.pid}`;
const LIB = `${WORK}/lib`;
/** The Node examples, compiled into WORK as NAME.mjs. */
const NODE_EXAMPLES = ['embed-node', 'embed-hono-node'];

const EXAMPLES: { name: string; command: string; args: string[] }[] = [
  { name: 'node', command: process.execPath, args: [`${WORK}/embed-node.mjs`] },
  // The same host on @hono/node-ws's own upgradeWebSocket helper.
  { name: 'hono-node', command: process.execPath, args: [`${WORK}/embed-hono-node.mjs`] },
  { name: 'bun', command: BUN, args: [`${ROOT}examples/embed-bun.ts`] },
  { name: 'deno', command: DENO, args: ['run', '-A', `${ROOT}examples/embed-deno.ts`] },
];

const secret = 'embed-secret';
let tmux: TestTmux;
const children: ChildProcess[] = [];

beforeAll(async () => {
  tmux = await startTmux({ session: 'embedded' });
  // The library as the package ships it to Node hosts.
  execFileSync(process.execPath, [`${ROOT}scripts/build-lib.mjs`, '--out', LIB, '--quiet'], { stdio: 'inherit' });
  // The example type-checks against the library's .d.ts files...
  mkdirSync(WORK, { recursive: true });
  writeFileSync(
    `${WORK}/tsconfig.json`,
    JSON.stringify({
      compilerOptions: {
        strict: true,
        target: 'ES2022',
        module: 'ESNext',
        moduleResolution: 'Bundler',
        noEmit: true,
        skipLibCheck: true,
        types: ['node'],
        lib: ['ES2023', 'DOM'],
        paths: { 'tmux-monitor': ['./lib/index.d.ts'] },
      },
      files: NODE_EXAMPLES.map((name) => `${ROOT}examples/${name}.ts`),
    }),
  );
  execFileSync(process.execPath, [`${ROOT}node_modules/typescript/bin/tsc`, '-p', `${WORK}/tsconfig.json`], { stdio: 'inherit' });
  // ...and, compiled as a Node user would (here with esbuild), imports its modules unbundled.
  await build({
    entryPoints: NODE_EXAMPLES.map((name) => `${ROOT}examples/${name}.ts`),
    outdir: WORK,
    outExtension: { '.js': '.mjs' },
    bundle: true,
    platform: 'node',
    format: 'esm',
    packages: 'external',
    plugins: [
      {
        name: 'tmux-monitor-lib',
        setup(b) {
          b.onResolve({ filter: /^tmux-monitor$/ }, () => ({ path: `${LIB}/index.js`, external: true }));
        },
      },
    ],
    logLevel: 'warning',
  });
}, 120_000);
afterAll(async () => {
  for (const child of children) child.kill('SIGKILL');
  await tmux?.kill();
  rmSync(WORK, { recursive: true, force: true });
});

for (const example of EXAMPLES) {
  describe(`examples/embed-${example.name}.ts`, () => {
    it('serves the host routes and the monitor under /tmux, and shuts down with 1001', async () => {
      const child = spawn(example.command, example.args, {
        cwd: ROOT,
        env: {
          ...process.env,
          PORT: '0',
          TMUX_MONITOR_SECRET: secret,
          TMUX_SOCKET_NAME: tmux.socketName,
          DENO_NO_UPDATE_CHECK: '1',
          NO_COLOR: '1',
        },
        stdio: ['ignore', 'pipe', 'pipe'],
      });
      children.push(child);
      let out = '';
      let err = '';
      child.stdout!.setEncoding('utf8').on('data', (chunk: string) => (out += chunk));
      child.stderr!.setEncoding('utf8').on('data', (chunk: string) => (err += chunk));
      const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
      const deadline = Date.now() + 20_000;
      while (!/admin token: \S+\n/.test(out)) {
        if (Date.now() > deadline || child.exitCode !== null) throw new Error(`example did not start\nstdout: ${out}\nstderr: ${err}`);
        await new Promise((resolve) => setTimeout(resolve, 50));
      }
      const port = Number(/http:\/\/127\.0\.0\.1:(\d+)\//.exec(out)![1]);
      const http = `http://127.0.0.1:${port}`;

      expect(await (await fetch(`${http}/`)).text()).toBe('my app');
      expect(await (await fetch(`${http}/api/hello`)).json()).toEqual({ hello: 'world' });
      expect(await (await fetch(`${http}/tmux/health`)).json()).toMatchObject({ status: 'ok' });
      expect((await fetch(`${http}/tmux/`)).headers.get('content-type')).toContain('text/html');

      // The token the example printed, and one signed with the same secret.
      const printed = /admin token: (\S+)/.exec(out)![1]!;
      const client = await TestClient.authed(`ws://127.0.0.1:${port}/tmux/monitor`, printed);
      // Wait for the tmux source to attach (its system.source event, replayed if it came first).
      await client.request({ action: 'subscribe', filters: { types: ['system.source'] }, since: 0 });
      await client.next((m) => m.type === 'system.source' && (m.data as { state?: string }).state === 'connected');
      expect((await client.request({ action: 'snapshot' })).type).toBe('snapshot.acknowledged');
      const data = await client.next('snapshot.data');
      expect((data.data.sessions as SessionSnapshot[]).map((s) => s.name)).toContain('embedded');
      const legacy = await TestClient.authed(
        `ws://127.0.0.1:${port}/tmux`,
        await signToken(secret, { sub: 'old', role: 'viewer', ttlSec: 600 }),
      );

      child.kill('SIGTERM');
      expect((await client.closed).code).toBe(1001);
      expect((await legacy.closed).code).toBe(1001);
      expect(await exited).toBe(0);
    });
  });
}

describe('deno task test', () => {
  it('passes (Deno’s own runner over test/deno/)', () => {
    const result = spawnSync(DENO, ['test', '-A', 'test/deno/'], {
      cwd: ROOT,
      env: { ...process.env, DENO_NO_UPDATE_CHECK: '1', NO_COLOR: '1' },
      encoding: 'utf8',
      timeout: 60_000,
    });
    expect(result.status, result.stdout + result.stderr).toBe(0);
    expect(result.stdout).toMatch(/ok \| 2 passed/);
    // Deno type-checks the package first: on a busy machine that alone can pass 30 s.
  }, 90_000);
});
