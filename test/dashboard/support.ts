/**
 * Helpers for the dashboard's browser tests: headless Chromium through playwright-core,
 * a page that records every request and every console error, and waits on the DOM (no
 * fixed sleeps).
 */
import { chromium, type Browser, type BrowserContext, type Page } from 'playwright-core';
import { expect } from 'vitest';

export const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';

export interface Dashboard {
  page: Page;
  /** Where the page came from. */
  origin: string;
  /** Console errors a test expects (e.g. a refused WebSocket while the server is down). */
  allowedProblems: RegExp[];
  /** Every URL the page asked for, WebSockets included. */
  requests: string[];
  /** Console errors, uncaught exceptions and CSP violations. */
  problems: string[];
  /** Leaves the page (and forgets its sessionStorage), ready for the next test. */
  close(): Promise<void>;
}

export interface OpenOptions {
  viewport?: { width: number; height: number };
  colorScheme?: 'light' | 'dark';
}

/**
 * Chromium with one tab that the tests of a file take turns on: a new tab costs about a
 * second (a renderer process) on a small machine, a navigation much less. Each `open()`
 * starts from a blank page; `close()` clears the page's sessionStorage.
 */
export class TestBrowser {
  #current: { requests: string[]; problems: string[] } = { requests: [], problems: [] };

  private constructor(
    readonly browser: Browser,
    readonly context: BrowserContext,
    readonly page: Page,
  ) {
    page.on('request', (request) => this.#current.requests.push(request.url()));
    page.on('websocket', (socket) => this.#current.requests.push(socket.url()));
    page.on('console', (message) => {
      if (message.type() === 'error') this.#current.problems.push(message.text());
    });
    page.on('pageerror', (error) => this.#current.problems.push(error.message));
  }

  static async launch(): Promise<TestBrowser> {
    const browser = await chromium.launch({
      executablePath: CHROMIUM,
      args: [
        '--no-sandbox',
        '--disable-gpu',
        '--disable-quic',
        '--no-first-run',
        '--disable-background-networking',
        '--disable-component-update',
        '--disable-sync',
      ],
    });
    const context = await browser.newContext({ viewport: { width: 1280, height: 800 }, colorScheme: 'light' });
    // Every WebSocket the page opens is kept in window.__sockets, so a test can cut one.
    await context.addInitScript(() => {
      const Native = window.WebSocket;
      const sockets: WebSocket[] = [];
      (window as unknown as { __sockets: WebSocket[] }).__sockets = sockets;
      window.WebSocket = class extends Native {
        constructor(url: string | URL, protocols?: string | string[]) {
          super(url, protocols);
          sockets.push(this);
        }
      };
    });
    return new TestBrowser(browser, context, await context.newPage());
  }

  async open(url: string, options: OpenOptions = {}): Promise<Dashboard> {
    const { page } = this;
    await page.goto('about:blank');
    await page.setViewportSize(options.viewport ?? { width: 1280, height: 800 });
    await page.emulateMedia({ colorScheme: options.colorScheme ?? 'light' });
    const current = { requests: [] as string[], problems: [] as string[] };
    this.#current = current;
    await page.goto(url);
    return {
      page,
      origin: new URL(url).origin,
      allowedProblems: [],
      ...current,
      close: async () => {
        await page.evaluate(() => sessionStorage.clear()).catch(() => {});
        await page.goto('about:blank');
      },
    };
  }

  close(): Promise<void> {
    return this.browser.close();
  }
}

/** Nothing but the server itself was asked for anything, and nothing went wrong in the page. */
export function expectSelfContained(dashboard: Dashboard): void {
  const host = new URL(dashboard.origin).host;
  for (const url of dashboard.requests) {
    if (url.startsWith('data:') || url === 'about:blank') continue;
    expect(new URL(url).host, url).toBe(host);
  }
  const problems = dashboard.problems.filter((p) => !dashboard.allowedProblems.some((re) => re.test(p)));
  expect(problems).toEqual([]);
}

/** The tree's row for a pane. */
export function paneRow(page: Page, paneId: string, status?: string) {
  return page.locator(`.tree .pane[data-pane-id="${paneId}"]${status ? `[data-status="${status}"]` : ''}`);
}

/** Waits until the terminal view shows `text`. */
export async function waitForTerminalText(page: Page, text: string, timeout = 5000): Promise<void> {
  await page.locator('.pane-view .xterm-rows', { hasText: text }).waitFor({ timeout });
}

/**
 * Polls `check` until it returns true (for state outside the page, like tmux's). `seen`
 * says what there was instead, for the error.
 */
export async function until(
  check: () => Promise<boolean> | boolean,
  what: string,
  timeoutMs = 5000,
  seen?: () => Promise<string>,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}${seen ? `; saw:\n${await seen()}` : ''}`);
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
}
