/**
 * The dashboard page against a real server fed from an in-memory source (so a test can
 * push exactly the events it needs): how it is served, auth turned off, mounting under a
 * prefix, the event log, the connection indicator, and a phone-width screen.
 */
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { createMemorySource, type MemorySource } from '../../src/hub/memory-source.ts';
import type { RawEvent } from '../../src/protocol/events.ts';
import type { SessionSnapshot } from '../../src/protocol/snapshot.ts';
import { startServer, type TestServer, type TestServerOptions } from '../helpers/server.ts';
import { restartableServer } from '../client/js-support.ts';
import { expectSelfContained, TestBrowser, paneRow, waitForTerminalText, type Dashboard, type OpenOptions } from './support.ts';

const created = '2026-01-01T00:00:00.000Z';
const pane = (id: string, index: number, status: string, agent_type: string, command: string, content: string) => ({
  index,
  id,
  pid: 100 + index,
  command,
  title: '',
  path: '/home/dev/project',
  dead: false,
  active: index === 0,
  agent: { status: status as 'ready', agent_type },
  content,
});
const SESSIONS: SessionSnapshot[] = [
  {
    name: 'ai-chat',
    id: '$1',
    attached: 1,
    created,
    windows: [
      {
        index: 0,
        id: '@1',
        name: 'claude',
        active: true,
        panes: [pane('%1', 0, 'waiting', 'claude', 'claude', 'Do you want to proceed?\n❯ 1. Yes\n  2. No')],
      },
    ],
  },
  {
    name: 'backend',
    id: '$2',
    attached: 0,
    created,
    windows: [
      {
        index: 0,
        id: '@2',
        name: 'aider',
        active: true,
        panes: [
          pane('%2', 0, 'busy', 'aider', 'aider', 'aider> refactor the parser'),
          pane('%3', 1, 'ready', 'shell', 'bash', '$ ls\nsrc test'),
        ],
      },
    ],
  },
];

function status(session: string, paneId: string, previous: string, next: string, agent_type = 'aider'): RawEvent {
  return {
    type: 'agent.status',
    session,
    window: 0,
    pane: 0,
    pane_id: paneId,
    data: { status: next as 'ready', previous: previous as 'ready', agent_type, reason: 'test' },
  };
}

let browser: TestBrowser;
const opened: Dashboard[] = [];
const servers: { close(): Promise<void> }[] = [];

beforeAll(async () => {
  browser = await TestBrowser.launch();
});
afterEach(async () => {
  const pages = opened.splice(0);
  try {
    // Every page, in every test: no request to another host, no error in the console.
    for (const dashboard of pages) expectSelfContained(dashboard);
  } finally {
    for (const dashboard of pages) await dashboard.close();
  }
  while (servers.length) await servers.pop()!.close();
});
afterAll(async () => {
  await browser?.close();
});

async function serve(options: Omit<TestServerOptions<MemorySource>, 'source'> = {}): Promise<TestServer> {
  const server = await startServer({ ...options, source: createMemorySource(structuredClone(SESSIONS)) });
  servers.push(server);
  return server;
}

async function open(url: string, options: OpenOptions = {}): Promise<Dashboard> {
  const dashboard = await browser.open(url, options);
  opened.push(dashboard);
  return dashboard;
}

describe('serving', () => {
  it('serves the page with a CSP that forbids other origins, and cacheable assets', async () => {
    const server = await serve();
    const page = await fetch(`${server.httpUrl}/`);
    expect(page.status).toBe(200);
    expect(page.headers.get('content-type')).toBe('text/html; charset=utf-8');
    const csp = page.headers.get('content-security-policy')!;
    expect(csp).toContain("default-src 'none'");
    expect(csp).toContain("script-src 'self'");
    expect(csp).toMatch(/connect-src 'self' ws:\/\/127\.0\.0\.1:\d+ wss:\/\/127\.0\.0\.1:\d+/);
    const html = await page.text();
    const js = /src="(dashboard\/app\.js\?v=[\w-]+)"/.exec(html)![1]!;
    const css = /href="(dashboard\/app\.css\?v=[\w-]+)"/.exec(html)![1]!;
    expect(html).not.toMatch(/(src|href)="(https?:)?\/\//); // nothing from elsewhere

    const script = await fetch(`${server.httpUrl}/${js}`);
    expect(script.headers.get('content-type')).toBe('text/javascript; charset=utf-8');
    expect(script.headers.get('cache-control')).toContain('immutable');
    const etag = script.headers.get('etag')!;
    expect((await script.text()).length).toBeGreaterThan(10_000);
    const again = await fetch(`${server.httpUrl}/dashboard/app.js`, { headers: { 'if-none-match': etag } });
    expect(again.status).toBe(304);
    expect(again.headers.get('cache-control')).toBe('no-cache');

    const style = await fetch(`${server.httpUrl}/${css}`);
    expect(style.headers.get('content-type')).toBe('text/css; charset=utf-8');
    expect(await style.text()).toContain('.xterm');
    expect((await fetch(`${server.httpUrl}/dashboard/nope.js`)).status).toBe(404);
  });

  it('leaves / to a 404 when the dashboard is turned off', async () => {
    const server = await serve({ dashboard: false });
    expect((await fetch(`${server.httpUrl}/`)).status).toBe(404);
    expect((await fetch(`${server.httpUrl}/dashboard/app.js`)).status).toBe(404);
    expect((await fetch(`${server.httpUrl}/health`)).status).toBe(200);
  });
});

describe('auth off', () => {
  it('connects without asking for a token and offers the controls', async () => {
    const server = await serve({ auth: false });
    const dashboard = await open(`${server.httpUrl}/`);
    const { page } = dashboard;
    await page.locator('.conn[data-state="live"]').waitFor({ timeout: 5000 });
    expect(await page.locator('.login').isHidden()).toBe(true);
    expect(await page.locator('.who').textContent()).toContain('auth off');
    expect(await page.locator('#sign-out').count()).toBe(0);
    // The waiting agent is selected first; an anonymous admin may write.
    await waitForTerminalText(page, 'Do you want to proceed?');
    expect(await page.locator('.pane-view .target').textContent()).toBe('ai-chat:0.0');
    await page.locator('.controls input[name="message"]').fill('1');
    await page.locator('.controls input[name="message"]').press('Enter');
    await page.locator('.send-result', { hasText: 'Sent' }).waitFor({ timeout: 3000 });
    expect(server.source.commands.at(-1)).toMatchObject({
      command: 'send',
      text: '1',
      target: { session: '$1', window: '@1', pane: '%1' },
    });
  });
});

describe('mounted under a prefix', () => {
  it.each(['/tmux', '/tmux/'])('works at %s', async (path) => {
    const server = await serve({ prefix: '/tmux' });
    const origin = `http://127.0.0.1:${server.port}`;
    const token = await server.token({ role: 'viewer' });
    const dashboard = await open(`${origin}${path}#token=${token}`);
    const { page, requests } = dashboard;
    await page.locator('.conn[data-state="live"]').waitFor({ timeout: 5000 });
    await paneRow(page, '%2', 'busy').waitFor();
    await waitForTerminalText(page, 'Do you want to proceed?');
    expect(page.url()).toBe(`${origin}${path}`);
    const paths = requests.map((u) => new URL(u).pathname);
    expect(paths).toContain('/tmux/dashboard/app.js');
    expect(paths).toContain('/tmux/monitor');
    expect(paths.filter((p) => p !== path && !p.startsWith('/tmux/'))).toEqual([]);
  });
});

describe('event log', () => {
  it('filters by type and session, and pauses and resumes', async () => {
    const server = await serve();
    const { page } = await open(`${server.httpUrl}/#token=${await server.token()}`);
    await paneRow(page, '%2', 'busy').waitFor({ timeout: 5000 });
    const rows = page.locator('.log-row');
    const row = (type: string, text: string) => page.locator(`.log-row[data-type="${type}"]`, { hasText: text });

    server.source.push(status('backend', '%2', 'busy', 'ready'));
    await row('agent.status', 'busy → ready').waitFor({ timeout: 2000 });
    await paneRow(page, '%2', 'ready').waitFor({ timeout: 1000 });
    server.source.push({ type: 'window.renamed', session: 'ai-chat', window: 0, data: { old_name: 'claude', new_name: 'claude-2' } });
    await row('window.renamed', '"claude" → "claude-2"').waitFor({ timeout: 2000 });

    // By type: agent events off, window events stay.
    await page.locator('.chip[data-kind="agent"]').click();
    expect(await page.locator('.chip[data-kind="agent"]').getAttribute('aria-pressed')).toBe('false');
    await row('agent.status', 'busy → ready').waitFor({ state: 'detached', timeout: 1000 });
    expect(await row('window.renamed', 'claude-2').count()).toBe(1);
    await page.locator('.chip[data-kind="agent"]').click();
    await row('agent.status', 'busy → ready').waitFor({ timeout: 1000 });

    // By session.
    await page.locator('.session-filter').selectOption('backend');
    await row('window.renamed', 'claude-2').waitFor({ state: 'detached', timeout: 1000 });
    expect(await row('agent.status', 'busy → ready').count()).toBe(1);
    await page.locator('.session-filter').selectOption('');
    await row('window.renamed', 'claude-2').waitFor({ timeout: 1000 });

    // Paused: new events are counted, not shown; resume shows them.
    await page.locator('.log .pause').click();
    const before = await rows.count();
    server.source.push(status('backend', '%2', 'ready', 'error'));
    await page.locator('.log .pause', { hasText: 'Resume (1 new)' }).waitFor({ timeout: 2000 });
    await paneRow(page, '%2', 'error').waitFor({ timeout: 1000 }); // the tree stays live
    expect(await rows.count()).toBe(before);
    await page.locator('.log .pause').click();
    await row('agent.status', 'ready → error').waitFor({ timeout: 1000 });
    expect(await rows.first().getAttribute('data-type')).toBe('agent.status'); // newest first
  });
});

describe('connection indicator', () => {
  it('shows reconnecting, then resumed', async () => {
    const server = await serve();
    const { page } = await open(`${server.httpUrl}/#token=${await server.token()}`);
    await page.locator('.conn[data-state="live"]').waitFor({ timeout: 5000 });
    await paneRow(page, '%2', 'busy').waitFor();
    // Record every state the indicator goes through: a reconnect on loopback can be quick.
    await page.evaluate(() => {
      const w = window as unknown as { __states: string[] };
      const pill = document.querySelector('.conn')!;
      w.__states = [];
      new MutationObserver(() => w.__states.push(pill.getAttribute('data-state')!)).observe(pill, {
        attributes: true,
        attributeFilter: ['data-state'],
      });
    });
    const states = () => page.evaluate(() => (window as unknown as { __states: string[] }).__states);
    // Cut the page's socket; an event happens around the time it is away.
    await page.evaluate(() => (window as unknown as { __sockets: WebSocket[] }).__sockets.at(-1)!.close());
    await page.waitForFunction(() => (window as unknown as { __states: string[] }).__states.includes('reconnecting'), undefined, {
      timeout: 3000,
    });
    server.source.sessions[1]!.windows[0]!.panes[0]!.agent.status = 'waiting';
    server.source.push(status('backend', '%2', 'busy', 'waiting'));
    await page.waitForFunction(() => (window as unknown as { __states: string[] }).__states.includes('resumed'), undefined, {
      timeout: 5000,
    });
    const seen = await states();
    expect(seen.indexOf('reconnecting')).toBeLessThan(seen.indexOf('resumed'));
    // Replayed or live, the event is there once.
    await page.locator('.log-row[data-type="agent.status"]', { hasText: 'busy → waiting' }).waitFor({ timeout: 1000 });
    expect(await page.locator('.log-row[data-type="agent.status"]', { hasText: 'busy → waiting' }).count()).toBe(1);
    await paneRow(page, '%2', 'waiting').waitFor({ timeout: 1000 });
    await page.locator('.log-row[data-type="connection"]', { hasText: 'resumed' }).waitFor({ timeout: 1000 });
  });

  it('shows a gap when the server restarted, and re-reads the tree', async () => {
    const server = await restartableServer(structuredClone(SESSIONS));
    servers.push({ close: () => server.stop() });
    const httpUrl = server.url.replace(/^ws/, 'http').replace(/\/monitor$/, '');
    const dashboard = await open(`${httpUrl}/#token=${await server.token()}`);
    dashboard.allowedProblems.push(/WebSocket connection to .* failed/);
    const { page } = dashboard;
    await page.locator('.conn[data-state="live"]').waitFor({ timeout: 5000 });
    await paneRow(page, '%2', 'busy').waitFor();
    await server.stop();
    await page.locator('.conn[data-state="reconnecting"]').waitFor({ timeout: 3000 });
    // The restarted server knows a different tree.
    const changed = structuredClone(SESSIONS);
    changed[1]!.windows[0]!.panes[0]!.agent.status = 'error';
    await server.start();
    server.source.sessions = changed;
    await page.locator('.conn[data-state="gap"]').waitFor({ timeout: 10_000 });
    expect(await page.locator('.conn').textContent()).toMatch(/server restarted/);
    await paneRow(page, '%2', 'error').waitFor({ timeout: 3000 });
  });
});

describe('screens', () => {
  it('is usable at phone width: one column, nothing wider than the screen', async () => {
    const server = await serve();
    const dashboard = await open(`${server.httpUrl}/#token=${await server.token()}`, {
      viewport: { width: 390, height: 844 },
      colorScheme: 'dark',
    });
    const { page } = dashboard;
    await paneRow(page, '%2', 'busy').waitFor({ timeout: 5000 });
    await waitForTerminalText(page, 'Do you want to proceed?');
    expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(390);
    const tree = await page.locator('.sidebar').boundingBox();
    const screen = await page.locator('.screen-frame').boundingBox();
    expect(tree!.width).toBeGreaterThan(350);
    // Stacked, not side by side: what needs you, then the pane, then the tree.
    expect(tree!.y).toBeGreaterThan(screen!.y + screen!.height - 1);
    expect(screen!.height).toBeGreaterThan(300);
    // Tapping a pane brings its output into view.
    await paneRow(page, '%3').click();
    await waitForTerminalText(page, 'src test');
    // Dark mode: dark background, light text.
    const colours = await page.evaluate(() => [getComputedStyle(document.body).backgroundColor, getComputedStyle(document.body).color]);
    expect(colours).toEqual(['rgb(11, 14, 20)', 'rgb(228, 232, 238)']);
  });

  it('fits 1280×800 in light mode: tree, terminal and log side by side without scrolling the page', async () => {
    const server = await serve();
    const dashboard = await open(`${server.httpUrl}/#token=${await server.token()}`);
    const { page } = dashboard;
    await waitForTerminalText(page, 'Do you want to proceed?');
    const size = await page.evaluate(() => [document.documentElement.scrollWidth, document.documentElement.scrollHeight]);
    expect(size).toEqual([1280, 800]);
    const tree = (await page.locator('.sidebar').boundingBox())!;
    const screen = (await page.locator('.screen-frame').boundingBox())!;
    const log = (await page.locator('.log').boundingBox())!;
    expect(screen.x).toBeGreaterThanOrEqual(tree.x + tree.width);
    expect(screen.height).toBeGreaterThan(300);
    expect(log.y).toBeGreaterThan(screen.y + screen.height);
    expect(log.y + log.height).toBeLessThanOrEqual(800);
    expect(await page.evaluate(() => getComputedStyle(document.body).backgroundColor)).toBe('rgb(243, 245, 248)');
  });
});
