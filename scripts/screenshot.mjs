// Takes the dashboard screenshots in docs/: a private tmux server with a few sessions and
// fake agents (test/fixtures/agents/) in different states, the real single-file server
// (`node dist/tmux-monitor.mjs serve`), and headless Chromium.
//
//   node scripts/screenshot.mjs            (after `npm run build`)
//   CHROMIUM_PATH=/path/to/chrome node scripts/screenshot.mjs
//
// Writes docs/dashboard.png (1280×800, light), docs/dashboard-dark.png,
// docs/dashboard-phone.png (390×844, dark) and docs/dashboard-needs-you.png (the "needs
// you" list). `node scripts/screenshot.mjs needs-you` takes only the last one.
import { execFileSync, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { createInterface } from 'node:readline';
import { chromium } from 'playwright-core';

const root = resolve(import.meta.dirname, '..');
const chromiumPath = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
const socket = `shot-${randomBytes(4).toString('hex')}`;
const scratch = mkdtempSync(join(tmpdir(), 'tmux-monitor-shot-'));
const run = join(root, 'test/fixtures/agents/run.sh');

const env = { ...process.env, TMUX: '', TMUX_PANE: '' };
delete env.TMUX;
delete env.TMUX_PANE;
const tmux = (...args) => execFileSync('tmux', ['-L', socket, ...args], { env, encoding: 'utf8' }).trim();

// A quiet shell with a short prompt, like a developer's.
const rc = join(scratch, 'bashrc');
writeFileSync(rc, "PS1='\\[\\e[32m\\]dev@box\\[\\e[0m\\]:\\[\\e[34m\\]\\W\\[\\e[0m\\]$ '\ncd ~ 2>/dev/null\n");
const shell = `bash --rcfile ${rc} --noprofile`;
const agent = (name, ...states) => `bash ${run} ${name} ${states.join(' ')}`;

let server;
let browser;
try {
  tmux(
    '-f',
    '/dev/null',
    'start-server',
    ';',
    'set-option',
    '-g',
    'default-command',
    shell,
    ';',
    'new-session',
    '-d',
    '-s',
    'ai-chat',
    '-n',
    'claude',
    '-x',
    '150',
    '-y',
    '40',
    agent('claude', 'busy', 'waiting'),
  );
  tmux('new-window', '-d', '-t', 'ai-chat', '-n', 'tests', shell);
  tmux('new-session', '-d', '-s', 'backend', '-n', 'aider', '-x', '150', '-y', '40', agent('aider', 'busy'));
  tmux('split-window', '-d', '-t', 'backend:aider', shell);
  tmux('new-window', '-d', '-t', 'backend', '-n', 'codex', agent('codex', 'busy', 'ready'));
  tmux('new-session', '-d', '-s', 'docs', '-n', 'gemini', '-x', '150', '-y', '40', agent('gemini', 'busy', 'error'));
  tmux('new-window', '-d', '-t', 'docs', '-n', 'build', shell);
  tmux(
    'send-keys',
    '-t',
    'ai-chat:tests',
    'printf "\\n  \\033[32m✓\\033[0m parser (12 tests)\\n  \\033[32m✓\\033[0m lexer (31 tests)\\n\\n Tests  43 passed (43)\\n"',
    'Enter',
  );
  tmux('send-keys', '-t', 'docs:build', 'echo "error: build failed: docs/api.md: broken link #install"; false', 'Enter');

  server = spawn(process.execPath, [join(root, 'dist/tmux-monitor.mjs'), 'serve', '--port', '0', '-L', socket], {
    env: { ...env, TMUX_MONITOR_SECRET: randomBytes(24).toString('hex') },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let serverLog = '';
  server.stderr.on('data', (chunk) => (serverLog = (serverLog + chunk).slice(-4000)));
  server.once('exit', (code) => code && console.error(`serve exited with ${code}:\n${serverLog}`));
  const url = await new Promise((resolveUrl, reject) => {
    const timer = setTimeout(() => reject(new Error('serve printed no dashboard URL')), 10_000);
    createInterface({ input: server.stdout }).on('line', (line) => {
      const match = /dashboard: (\S+)/.exec(line);
      if (match) {
        clearTimeout(timer);
        resolveUrl(match[1]);
      }
    });
    server.once('exit', (code) => reject(new Error(`serve exited (${code})`)));
  });

  browser = await chromium.launch({
    executablePath: chromiumPath,
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

  const only = process.argv[2];
  const shoot = async ({ file, width, height, colorScheme, scale = 1, mobile = false, clip }) => {
    if (only && !file.includes(only)) return;
    const context = await browser.newContext({
      viewport: { width, height },
      colorScheme,
      deviceScaleFactor: scale,
      isMobile: mobile,
      hasTouch: mobile,
    });
    const page = await context.newPage();
    // Every agent starts over busy, so each screenshot sees the changes happen.
    for (const [target, name, last] of [
      ['ai-chat:claude', 'claude', 'waiting'],
      ['backend:codex', 'codex', 'ready'],
      ['docs:gemini', 'gemini', 'error'],
    ]) {
      tmux('respawn-pane', '-k', '-t', target, agent(name, 'busy', last));
    }
    await page.goto(url);
    // Some agents finish their work while the page watches: their badges change, the log fills.
    for (const [name, status] of [
      ['claude', 'busy'],
      ['codex', 'busy'],
      ['gemini', 'busy'],
    ]) {
      await page.locator(`.pane.is-agent[data-status="${status}"] .agent-type`, { hasText: name }).first().waitFor({ timeout: 15_000 });
    }
    await page.waitForTimeout(1200);
    tmux('send-keys', '-t', 'backend:codex', 'Enter');
    await page.waitForTimeout(700);
    tmux('send-keys', '-t', 'docs:gemini', 'Enter');
    await page.waitForTimeout(700);
    tmux('send-keys', '-t', 'ai-chat:claude', 'Enter');
    // Every agent in its state, the waiting one selected, its screen drawn.
    for (const [name, status] of [
      ['claude', 'waiting'],
      ['aider', 'busy'],
      ['codex', 'ready'],
      ['gemini', 'error'],
    ]) {
      await page.locator(`.pane.is-agent[data-status="${status}"] .agent-type`, { hasText: name }).first().waitFor({ timeout: 15_000 });
    }
    await page.locator('.pane-view[data-loaded="1"]').waitFor({ timeout: 10_000 });
    await page.locator('.xterm-rows', { hasText: 'Do you want to proceed' }).waitFor({ timeout: 10_000 });
    // Let the log fill and durations tick past zero.
    await page.waitForTimeout(2500);
    if (clip) await page.locator('.needs-you-item').nth(1).waitFor({ timeout: 10_000 });
    await page.screenshot({ path: join(root, 'docs', file), fullPage: mobile, clip });
    await context.close();
    console.log(`wrote docs/${file}`);
  };

  await shoot({ file: 'dashboard.png', width: 1280, height: 800, colorScheme: 'light' });
  await shoot({ file: 'dashboard-dark.png', width: 1280, height: 800, colorScheme: 'dark' });
  await shoot({ file: 'dashboard-phone.png', width: 390, height: 844, colorScheme: 'dark', mobile: true });
  await shoot({
    file: 'dashboard-needs-you.png',
    width: 1280,
    height: 800,
    colorScheme: 'light',
    clip: { x: 0, y: 0, width: 1280, height: 520 },
  });
} finally {
  await browser?.close();
  server?.kill('SIGTERM');
  try {
    tmux('kill-server');
  } catch {
    // already gone
  }
  // tmux leaves the socket file behind.
  const uid = process.getuid?.() ?? 0;
  rmSync(join(process.env.TMUX_TMPDIR ?? '/tmp', `tmux-${uid}`, socket), { force: true });
  rmSync(scratch, { recursive: true, force: true });
}
