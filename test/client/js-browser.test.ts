/**
 * The client in a real browser (Chromium through playwright-core), bundled the way the
 * dashboard bundles it: esbuild, platform browser, 'ws' external. Also checks that the
 * bundle holds only client code (type-only protocol imports, no server, no Node built-ins).
 */
import { build } from 'esbuild';
import { chromium, type Browser, type Page } from 'playwright-core';
import { resolve } from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { startServer, type TestServer } from '../helpers/server.ts';
import { agentStatus } from './js-support.ts';

const root = resolve(import.meta.dirname, '../..');
const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';

let server: TestServer;
let browser: Browser;
let page: Page;
let bundle: { code: string; inputs: string[] };

beforeAll(async () => {
  const result = await build({
    entryPoints: [resolve(root, 'src/client/index.ts')],
    bundle: true,
    format: 'iife',
    globalName: 'TmuxMonitorClient',
    platform: 'browser',
    external: ['ws'],
    write: false,
    metafile: true,
    logLevel: 'silent',
  });
  bundle = { code: result.outputFiles[0]!.text, inputs: Object.keys(result.metafile.inputs) };
  server = await startServer();
  browser = await chromium.launch({ executablePath: CHROMIUM, args: ['--no-sandbox'] });
  page = await browser.newPage();
  await page.addScriptTag({ content: bundle.code });
});
afterAll(async () => {
  await browser?.close();
  await server?.close();
});

it('bundles for the browser with nothing but the client in it', () => {
  expect(bundle.inputs.length).toBeGreaterThan(0);
  for (const input of bundle.inputs) expect(input).toMatch(/^src\/client\//);
  expect(bundle.code).not.toMatch(/["']node:/);
  // The one reference to 'ws' is the dynamic import in load-ws.ts, left to the host.
  expect(bundle.code.match(/import\("ws"\)/g)).toHaveLength(1);
});

it('connects, subscribes, receives events and snapshots with the browser WebSocket', async () => {
  const token = await server.token({ role: 'viewer' });
  await page.evaluate(
    async ({ url, token }) => {
      const w = window as unknown as Record<string, any>;
      const { TmuxMonitor } = w.TmuxMonitorClient;
      const monitor = new TmuxMonitor(url, { token });
      w.received = [];
      monitor.on('agent.status', (event: unknown) => w.received.push(event));
      await monitor.subscribe({ types: ['agent.status'] });
      w.monitor = monitor;
    },
    { url: server.httpUrl, token },
  );
  server.source.push(agentStatus(1, 'ai-chat'));
  await page.waitForFunction(() => (window as unknown as { received: unknown[] }).received.length > 0, undefined, { timeout: 5000 });
  const seen = await page.evaluate(async () => {
    const w = window as unknown as Record<string, any>;
    const snapshot = await w.monitor.snapshot();
    const result = {
      event: w.received[0],
      state: w.monitor.state,
      role: w.monitor.auth.role,
      url: w.monitor.url,
      sessions: snapshot.sessions,
    };
    await w.monitor.close();
    return { ...result, closed: w.monitor.state };
  });
  expect(seen).toMatchObject({
    event: { type: 'agent.status', seq: 1, session: 'ai-chat', data: { status: 'busy' } },
    state: 'open',
    closed: 'closed',
    role: 'viewer',
    url: server.url,
    sessions: [],
  });
});

it("runs the spec's JavaScript example with the browser's own WebSocket", async () => {
  const token = await server.token();
  await page.evaluate(
    ({ url, token }) => {
      const w = window as unknown as Record<string, any>;
      w.logged = [];
      console.log = (...args: unknown[]) => w.logged.push(args);
      // ── The example (spec), sending once open: ──
      const ws = new WebSocket(url);
      ws.onopen = () => {
        ws.send(JSON.stringify({ action: 'auth', token: token }));
        ws.send(JSON.stringify({ action: 'subscribe', filters: { types: ['agent.status', 'pane.output'], sessions: ['ai-chat'] } }));
      };
      ws.onmessage = (event) => {
        const data = JSON.parse(event.data);
        console.log('Event:', data.type, data.data);
      };
    },
    { url: server.url.replace('127.0.0.1', 'localhost'), token },
  );
  await page.waitForFunction(
    () => (window as unknown as { logged: unknown[][] }).logged.some((a) => a[1] === 'subscription.confirmed'),
    undefined,
    { timeout: 5000 },
  );
  server.source.push(agentStatus(7, 'other'), agentStatus(8, 'ai-chat'));
  await page.waitForFunction(() => (window as unknown as { logged: unknown[][] }).logged.some((a) => a[1] === 'agent.status'), undefined, {
    timeout: 5000,
  });
  const logged = await page.evaluate(() => (window as unknown as { logged: unknown[][] }).logged);
  expect(logged.filter((a) => a[1] === 'agent.status')).toEqual([
    ['Event:', 'agent.status', { status: 'ready', previous: 'busy', agent_type: 'claude', reason: 'n=8' }],
  ]);
});
