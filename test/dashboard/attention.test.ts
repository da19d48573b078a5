/**
 * The dashboard's attention features in Chromium against a real server and tmux: the
 * "needs you" list (oldest first), the title count, a desktop Notification (permission
 * granted), quick replies that reach the pane, "Seen" (ack), the pane at its own width and
 * in colour, and the phone layout.
 */
import { fileURLToPath } from 'node:url';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { createTmuxSource, type TmuxSource } from '../../src/tmux/index.ts';
import { startServer, type TestServer } from '../helpers/server.ts';
import { startTmux, type TestTmux } from '../helpers/tmux.ts';
import { TestClient, type Message } from '../helpers/ws-client.ts';
import { expectSelfContained, TestBrowser, until, waitForTerminalText, type Dashboard, type OpenOptions } from './support.ts';

const RUN = fileURLToPath(new URL('../fixtures/agents/run.sh', import.meta.url));

/** The first message matching (from the start: waits on two panes may arrive in either order). */
const seen = (match: (m: Message) => boolean, timeoutMs = 8000): Promise<Message> =>
  events.collect(match, 1, timeoutMs).then((found) => found[0]!);
const CHOICE = fileURLToPath(new URL('../fixtures/agents/choice.sh', import.meta.url));

let t: TestTmux;
let server: TestServer<TmuxSource>;
let browser: TestBrowser;
let token: string;
let events: TestClient;
const opened: Dashboard[] = [];

beforeAll(async () => {
  t = await startTmux({ session: 'main', width: 160, height: 40 });
  const source = createTmuxSource({ socketName: t.socketName });
  server = await startServer({ source });
  await source.ready();
  browser = await TestBrowser.launch();
  await browser.context.grantPermissions(['notifications'], { origin: server.httpUrl });
  // Record every Notification the page creates.
  await browser.context.addInitScript(() => {
    const Native = window.Notification;
    const shown: { title: string; body: string }[] = [];
    (window as unknown as { __notifications: typeof shown }).__notifications = shown;
    const Recording = function (this: unknown, title: string, options?: NotificationOptions) {
      shown.push({ title, body: options?.body ?? '' });
      return new Native(title, options);
    } as unknown as typeof Notification;
    Object.defineProperty(Recording, 'permission', { get: () => Native.permission });
    Recording.requestPermission = Native.requestPermission.bind(Native);
    window.Notification = Recording;
  });
  token = await server.token({ sub: 'alice', role: 'operator' });
  events = await TestClient.authed(server.url, token);
  await events.request({ action: 'subscribe', filters: { types: ['agent.*'] } });
});

afterEach(async () => {
  const pages = opened.splice(0);
  try {
    for (const dashboard of pages) expectSelfContained(dashboard);
  } finally {
    for (const dashboard of pages) await dashboard.close();
  }
});

afterAll(async () => {
  await events?.close();
  await browser?.close();
  await server?.close();
  await t?.kill();
});

async function open(options: OpenOptions = {}): Promise<Dashboard> {
  const dashboard = await browser.open(`${server.httpUrl}/#token=${token}`, options);
  opened.push(dashboard);
  await dashboard.page.locator('.conn[data-state="live"]').waitFor({ timeout: 5000 });
  return dashboard;
}

async function newWindow(name: string, command: string): Promise<string> {
  return (await t.tmux('new-window', '-d', '-t', 'main', '-n', name, '-P', '-F', '#{pane_id}', command)).trim();
}

async function waitingAgent(name: string): Promise<string> {
  const pane = await newWindow(name, `bash ${RUN} claude busy waiting`);
  await seen((m) => m.type === 'agent.status' && m.pane_id === pane && m.data.status === 'busy', 8000);
  await t.tmux('send-keys', '-t', pane, 'Enter');
  await seen((m) => m.type === 'agent.attention' && m.pane_id === pane && m.data.attention === 'waiting', 8000);
  return pane;
}

const item = (d: Dashboard, pane: string) => d.page.locator(`.needs-you-item[data-pane="${pane}"]`);

describe('dashboard: needs you', () => {
  let first: string;
  let second: string;

  it('lists what needs a person, oldest first, counts it in the title and notifies', async () => {
    const d = await open();
    first = await waitingAgent('first');
    await item(d, first).waitFor({ timeout: 5000 });
    await d.page.waitForFunction(() => document.title === '(1) tmux-monitor', undefined, { timeout: 5000 });
    second = await newWindow('choice', `bash ${CHOICE}`);
    await seen((m) => m.type === 'agent.attention' && m.pane_id === second && m.data.attention === 'waiting', 8000);
    await item(d, second).waitFor({ timeout: 5000 });
    await d.page.waitForFunction(() => document.title === '(2) tmux-monitor', undefined, { timeout: 5000 });
    const order = await d.page.locator('.needs-you-item').evaluateAll((els) => els.map((e) => (e as HTMLElement).dataset.pane));
    expect(order).toEqual([first, second]);
    await expect.poll(() => item(d, first).locator('.needs-you-waited').textContent()).toMatch(/waiting for you for \d+s/);
    const notes = await d.page.evaluate(
      () => (window as unknown as { __notifications: { title: string; body: string }[] }).__notifications,
    );
    expect(notes.map((n) => n.title)).toContain('claude is waiting for you');
    expect(notes.some((n) => n.body.includes('main:') && n.body.includes('(choice)'))).toBe(true);
  });

  it('a click opens the pane with the reply box focused; a quick reply reaches the pane', async () => {
    const d = await open();
    await item(d, second).locator('.needs-you-open').click();
    await d.page.locator('.pane-view .target', { hasText: /^main:\d+\.0$/ }).waitFor({ timeout: 5000 });
    await d.page.waitForFunction(() => (document.activeElement as HTMLInputElement | null)?.name === 'message', undefined, {
      timeout: 5000,
    });
    await waitForTerminalText(d.page, 'Do you want to proceed?');
    const replies = d.page.locator('.quick-reply');
    await replies.first().waitFor({ timeout: 5000 });
    expect(await replies.allTextContents()).toEqual([
      '1. Yes',
      "2. Yes, and don't ask again for rm commands in /home/dev/project",
      '3. No, and tell Claude what to do differently',
    ]);
    await replies.first().click();
    await until(async () => (await t.tmux('capture-pane', '-p', '-t', second)).includes('chose 1'), 'the key in the pane');
  });

  it('"Seen" acknowledges a pane: it leaves the list and the title', async () => {
    const d = await open();
    await item(d, first).locator('.needs-you-ack').click();
    await item(d, first).waitFor({ state: 'detached', timeout: 5000 });
    await events.collect((m) => m.type === 'agent.attention' && m.pane_id === first && m.data.attention === null, 1, 5000);
    await d.page.waitForFunction(() => !document.title.includes(`(2)`), undefined, { timeout: 5000 });
  });

  it('draws the pane at its own width, in colour, and the phone layout shows the list first', async () => {
    const colour = await newWindow('colour', 'bash --norc --noprofile');
    await t.tmux('send-keys', '-t', colour, "printf '\\033[31mred-text\\033[0m\\n'; sleep 100000", 'Enter');
    const stillWaiting = await waitingAgent('phone');
    const d = await open({ viewport: { width: 390, height: 844 } });
    await item(d, stillWaiting).waitFor({ timeout: 5000 });
    // Page positions (a click scrolls the pane into view).
    const top = (selector: string) => d.page.locator(selector).evaluate((el) => el.getBoundingClientRect().top + window.scrollY);
    const listTop = await top('.needs-you');
    const listBottom = listTop + (await d.page.locator('.needs-you').evaluate((el) => el.getBoundingClientRect().height));
    expect(listTop).toBeLessThan(200);
    expect(await top('.screen-frame')).toBeGreaterThan(listBottom - 1);
    expect(await top('.sidebar')).toBeGreaterThan(await top('.screen-frame'));
    await item(d, stillWaiting).locator('.needs-you-open').click();
    await waitForTerminalText(d.page, 'Do you want to proceed?');
    expect(await d.page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(390);
    // 160 columns, scrolled sideways: the dialog's lines are whole rows, not re-wrapped.
    // (Waited for: the text may first be seen in the pane shown before the click.)
    await d.page
      .locator('.pane-view .xterm-rows > div', { hasText: /^│ Do you want to proceed\?\s+│/ })
      .first()
      .waitFor({ timeout: 5000 });
    expect(await d.page.locator('.screen').evaluate((el) => el.scrollWidth > el.clientWidth)).toBe(true);
    // Colour: the SGR of the screen is kept.
    await d.page.goto('about:blank');
    const wide = await open();
    await wide.page.locator(`.tree .pane[data-pane-id="${colour}"]`).click();
    await wide.page
      .locator('.pane-view .xterm-rows span', { hasText: /^red-text$/ })
      .first()
      .waitFor({ timeout: 5000 });
    const red = await wide.page
      .locator('.pane-view .xterm-rows span', { hasText: /^red-text$/ })
      .first()
      .evaluate((el) => getComputedStyle(el).color);
    expect(red).not.toBe(await wide.page.locator('.pane-view .xterm-rows').evaluate((el) => getComputedStyle(el).color));
  });
});
