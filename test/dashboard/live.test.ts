/**
 * The dashboard in headless Chromium against a real server watching a real tmux (private
 * socket): the tree follows tmux, badges follow agents, the terminal view follows output,
 * and messages sent from the page reach the pane.
 */
import { fileURLToPath } from 'node:url';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { createTmuxSource, type TmuxSource } from '../../src/tmux/index.ts';
import { startServer, type TestServer } from '../helpers/server.ts';
import { startTmux, type TestTmux } from '../helpers/tmux.ts';
import { TestClient } from '../helpers/ws-client.ts';
import { expectSelfContained, TestBrowser, paneRow, until, waitForTerminalText, type Dashboard, type OpenOptions } from './support.ts';

const RUN = fileURLToPath(new URL('../fixtures/agents/run.sh', import.meta.url));

let t: TestTmux;
let server: TestServer<TmuxSource>;
let browser: TestBrowser;
let admin: string;
const opened: Dashboard[] = [];

beforeAll(async () => {
  t = await startTmux({ session: 'main', width: 160, height: 40 });
  const source = createTmuxSource({ socketName: t.socketName });
  server = await startServer({ source });
  await source.ready();
  browser = await TestBrowser.launch();
  admin = await server.token({ sub: 'alice', role: 'operator' });
});

afterEach(async () => {
  const pages = opened.splice(0);
  try {
    // Every page, in every test: no request to another host, no error in the console.
    for (const dashboard of pages) expectSelfContained(dashboard);
  } finally {
    for (const dashboard of pages) await dashboard.close();
  }
});

afterAll(async () => {
  await browser?.close();
  await server?.close();
  await t?.kill();
});

async function open(token: string | null = admin, options: OpenOptions = {}): Promise<Dashboard> {
  const dashboard = await browser.open(`${server.httpUrl}/${token ? `#token=${token}` : ''}`, options);
  opened.push(dashboard);
  await dashboard.page.locator('.conn[data-state="live"]').waitFor({ timeout: 5000 });
  return dashboard;
}

async function paneId(target: string): Promise<string> {
  return (await t.tmux('display-message', '-p', '-t', target, '#{pane_id}')).trim();
}

async function newWindow(name: string, command?: string): Promise<string> {
  const args = ['new-window', '-d', '-t', 'main', '-n', name, '-P', '-F', '#{pane_id}'];
  return (await t.tmux(...(command ? [...args, command] : args))).trim();
}

describe('tree', () => {
  it('shows sessions, windows and panes and follows new sessions, windows and kills', async () => {
    const { page } = await open();
    const first = await paneId('main:0.0');
    await paneRow(page, first).waitFor();
    expect(await page.locator('.session[data-session="main"] .session-name').textContent()).toBe('main');

    await t.tmux('new-session', '-d', '-s', 'extra', '-x', '100', '-y', '30');
    await page.locator('.session[data-session="extra"]').waitFor({ timeout: 3000 });

    const win = await newWindow('builds');
    await page.locator('.session[data-session="main"] .window-name', { hasText: 'builds' }).waitFor({ timeout: 3000 });
    await paneRow(page, win).waitFor({ timeout: 3000 });

    await t.tmux('split-window', '-d', '-t', 'main:builds');
    await until(
      async () => (await page.locator('.session[data-session="main"] .window[data-window="1"] .pane').count()) === 2,
      'the split pane',
      3000,
    );

    await t.tmux('kill-window', '-t', 'main:builds');
    await paneRow(page, win).waitFor({ state: 'detached', timeout: 3000 });
    await t.tmux('kill-session', '-t', 'extra');
    await page.locator('.session[data-session="extra"]').waitFor({ state: 'detached', timeout: 3000 });
  });
});

describe('agent status', () => {
  /**
   * Watches agent.status over a plain WebSocket next to the page: the time from the event
   * reaching a client to the badge changing is the dashboard's own delay. (tmux itself
   * reports `@agent_state` changes to its control clients about once a second.)
   */
  async function statusWatcher(): Promise<{ next(pane: string, status: string): Promise<number>; close(): Promise<void> }> {
    const client = await TestClient.authed(server.url, admin);
    await client.request({ action: 'subscribe', filters: { types: ['agent.status'] } });
    return {
      async next(pane, status) {
        try {
          await client.next((m) => m.type === 'agent.status' && m.pane_id === pane && m.data.status === status, 8000);
        } catch {
          const seen = client.messages.filter((m) => m.type === 'agent.status' && m.pane_id === pane).map((m) => m.data);
          throw new Error(`no agent.status ${status} for ${pane}; saw ${JSON.stringify(seen)}`);
        }
        return Date.now();
      },
      close: () => client.close(),
    };
  }

  it('changes a badge within a second of @agent_state moving busy → waiting → ready, and counts waiting agents in the title', async () => {
    const { page } = await open();
    const watcher = await statusWatcher();
    const pane = await newWindow('hooked');
    await paneRow(page, pane).waitFor({ timeout: 3000 });
    for (const status of ['busy', 'waiting', 'ready'] as const) {
      await t.tmux('set-option', '-p', '-t', pane, '@agent_state', status);
      const seen = await watcher.next(pane, status);
      await paneRow(page, pane, status).locator(`.badge[data-badge="${status}"]`).waitFor({ timeout: 1000 });
      expect(Date.now() - seen).toBeLessThan(1000);
      if (status === 'waiting') {
        await page.waitForFunction(() => document.title === '(1) tmux-monitor', undefined, { timeout: 1000 });
        expect(await paneRow(page, pane).getAttribute('class')).toContain('attention');
        expect(await page.locator('.count-waiting b').textContent()).toBe('1');
      }
    }
    await page.waitForFunction(() => document.title === 'tmux-monitor', undefined, { timeout: 1000 });
    // The event log saw the transitions.
    await page.locator('.log-row[data-type="agent.status"]', { hasText: 'busy → waiting' }).waitFor({ timeout: 1000 });
    await watcher.close();
    await t.tmux('kill-window', '-t', pane);
  });

  it('follows a scripted fake Claude Code through busy → waiting → ready', async () => {
    const { page } = await open();
    const watcher = await statusWatcher();
    const pane = await newWindow('claude', `bash ${RUN} claude busy waiting ready`);
    await watcher.next(pane, 'busy');
    await paneRow(page, pane, 'busy').waitFor({ timeout: 1000 });
    expect(await paneRow(page, pane).locator('.agent-type').textContent()).toBe('claude');
    for (const next of ['waiting', 'ready'] as const) {
      const pressed = Date.now();
      await t.tmux('send-keys', '-t', pane, 'Enter');
      const seen = await watcher.next(pane, next);
      await paneRow(page, pane, next).waitFor({ timeout: 1000 });
      expect(Date.now() - seen).toBeLessThan(1000);
      // From the agent's screen changing to the badge: the source settles and holds a
      // status briefly before it reports it.
      expect(Date.now() - pressed).toBeLessThan(2000);
    }
    await watcher.close();
    await t.tmux('kill-window', '-t', pane);
  });
});

describe('selected pane', () => {
  it('shows output typed in the pane live in the terminal view', async () => {
    const { page } = await open();
    const pane = await newWindow('shell');
    await paneRow(page, pane).click();
    await page.locator('.pane-view[data-loaded="1"] .target', { hasText: 'main:' }).waitFor({ timeout: 3000 });
    await t.tmux('send-keys', '-t', pane, 'echo "typed-$((6 * 7))"', 'Enter');
    await waitForTerminalText(page, 'typed-42', 3000);
    await t.tmux('send-keys', '-t', pane, 'printf "line-%s\\n" $(seq 1 5)', 'Enter');
    await waitForTerminalText(page, 'line-5', 3000);
    await t.tmux('kill-window', '-t', pane);
    // The view says the pane is gone rather than showing a stale badge.
    await page.locator('.pane-view .badge-exited', { hasText: 'closed' }).waitFor({ timeout: 3000 });
  });

  it('sends a message to the pane and interrupts it (write permission)', async () => {
    const { page } = await open();
    const pane = await newWindow('agent');
    // What is typed before the shell has started is the shell's business: wait for its prompt.
    const screen = async () => t.tmux('capture-pane', '-p', '-t', pane);
    await until(async () => (await screen()).includes('$'), 'the shell prompt');
    await paneRow(page, pane).click();
    const input = page.locator('.controls input[name="message"]');
    await input.fill('echo "from-the-dashboard-$((2 + 3))"');
    await input.press('Enter');
    await page.locator('.send-result', { hasText: 'Sent' }).waitFor({ timeout: 3000 });
    await until(async () => (await screen()).includes('from-the-dashboard-5'), 'the message in the pane', 5000, screen);
    await waitForTerminalText(page, 'from-the-dashboard-5', 3000);
    expect(await input.inputValue()).toBe('');

    await t.tmux('send-keys', '-t', pane, 'sleep 600', 'Enter');
    await until(
      async () => (await t.tmux('display-message', '-p', '-t', pane, '#{pane_current_command}')).trim() === 'sleep',
      'sleep to start',
    );
    await page.locator('.controls button', { hasText: 'Interrupt' }).click();
    await until(
      async () => (await t.tmux('display-message', '-p', '-t', pane, '#{pane_current_command}')).trim() === 'bash',
      'sleep to be interrupted',
    );
    await page.locator('.send-result', { hasText: 'Interrupted' }).waitFor({ timeout: 3000 });
    await t.tmux('kill-window', '-t', pane);
  });

  it('shows a viewer the output but no controls', async () => {
    const { page } = await open(await server.token({ sub: 'vic', role: 'viewer' }));
    const pane = await paneId('main:0.0');
    await paneRow(page, pane).click();
    await page.locator('.pane-view[data-loaded="1"]').waitFor({ timeout: 3000 });
    expect(await page.locator('.controls input, .controls button').count()).toBe(0);
    expect(await page.locator('.controls').isHidden()).toBe(true);
    expect(await page.locator('.who').textContent()).toContain('viewer');
  });
});

describe('sign-in', () => {
  it('takes the token from the fragment, removes it from the address bar and keeps it in sessionStorage', async () => {
    const { page } = await open();
    expect(page.url()).toBe(`${server.httpUrl}/`);
    const stored = await page.evaluate(() => Object.entries(sessionStorage).find(([key]) => key.startsWith('tmux-monitor.token'))?.[1]);
    expect(stored).toBe(admin);
    // A reload signs in again from sessionStorage.
    await page.reload();
    await page.locator('.conn[data-state="live"]').waitFor({ timeout: 5000 });
    expect(await page.locator('.who').textContent()).toContain('alice');
  });

  it('shows a clear error for a bad token, then signs in with the form', async () => {
    const dashboard = await browser.open(`${server.httpUrl}/#token=not-a-real-token`);
    opened.push(dashboard);
    const { page } = dashboard;
    const error = page.locator('.login-error');
    await error.waitFor({ timeout: 5000 });
    expect(await error.textContent()).toMatch(/refused this token/);
    expect(page.url()).not.toContain('token');
    expect(await page.evaluate(() => Object.keys(sessionStorage).filter((k) => k.startsWith('tmux-monitor.token')))).toEqual([]);

    await page.locator('.login input[name="token"]').fill(admin);
    await page.locator('.login button[type="submit"]').click();
    await page.locator('.conn[data-state="live"]').waitFor({ timeout: 5000 });
    expect(await page.locator('.login').isHidden()).toBe(true);
    expect(page.url()).toBe(`${server.httpUrl}/`);
  });

  it('asks for a token when it has none, and forgets it on sign-out', async () => {
    const dashboard = await browser.open(`${server.httpUrl}/`);
    opened.push(dashboard);
    const { page } = dashboard;
    await page.locator('.login').waitFor({ timeout: 5000 });
    expect(await page.locator('.login-error').isHidden()).toBe(true);
    await page.locator('.login input[name="token"]').fill(admin);
    await page.locator('.login input[name="token"]').press('Enter');
    await page.locator('.conn[data-state="live"]').waitFor({ timeout: 5000 });
    await page.locator('#sign-out').click();
    await page.locator('.login').waitFor({ timeout: 5000 });
    expect(await page.evaluate(() => Object.keys(sessionStorage).filter((k) => k.startsWith('tmux-monitor.token')))).toEqual([]);
  });
});
