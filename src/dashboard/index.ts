/**
 * Serves the dashboard (docs/dashboard.md): the page at `GET /` and its two assets at
 * `GET /dashboard/app.js` and `/dashboard/app.css`, all relative to wherever the monitor is
 * mounted. The assets are strings in a module generated at build time
 * (scripts/build-dashboard.mjs), so they are there both from source and in the single-file
 * bundle. That module (xterm.js included, about 400 KiB) is imported when the dashboard is
 * first asked for, not at start: a server nobody opens the dashboard of never holds it.
 */
import type { Context, Hono } from 'hono';
import { pageHtml } from './page.ts';

export { baseHref, pageHtml } from './page.ts';

interface Asset {
  body: string;
  type: string;
  hash: string;
}

interface Assets {
  files: Record<string, Asset>;
  hashes: { js: string; css: string };
}

let assets: Promise<Assets> | undefined;

/** The generated assets, imported on first use (a bundler keeps it a lazy module). */
function loadAssets(): Promise<Assets> {
  assets ??= import('./generated/assets.ts').then(({ appCss, appJs, assetHashes }) => ({
    files: {
      'app.js': { body: appJs, type: 'text/javascript; charset=utf-8', hash: assetHashes.js },
      'app.css': { body: appCss, type: 'text/css; charset=utf-8', hash: assetHashes.css },
    },
    hashes: assetHashes,
  }));
  return assets;
}

/**
 * The page's Content-Security-Policy: nothing from other origins. Scripts and stylesheets
 * come from the monitor itself; the WebSocket goes back to the same host. Inline styles
 * are allowed because xterm.js sizes and colours its rows through `style` (no external
 * load is possible through them); inline scripts are not.
 */
export function contentSecurityPolicy(host: string | undefined): string {
  // Browsers disagree on whether 'self' covers ws:/wss:, so name the host as well.
  const sameHost = host && /^[A-Za-z0-9.\-:[\]]+$/.test(host) ? ` ws://${host} wss://${host}` : '';
  return [
    "default-src 'none'",
    "script-src 'self'",
    "style-src 'self' 'unsafe-inline'",
    "img-src 'self' data:",
    "font-src 'self'",
    `connect-src 'self'${sameHost}`,
    "base-uri 'self'",
    "form-action 'none'",
    "frame-ancestors 'self'",
  ].join('; ');
}

const SECURITY_HEADERS = {
  'x-content-type-options': 'nosniff',
  'referrer-policy': 'no-referrer',
} as const;

/**
 * Adds the dashboard's routes to a monitor app. `GET /` must already let WebSocket upgrades
 * through to the protocol (old clients connect there); this handles the plain GET.
 */
export function mountDashboard(app: Hono<any, any, any>): void {
  app.get('/', (c) => servePage(c));
  app.get('/dashboard/:file', (c) => serveAsset(c, c.req.param('file') ?? ''));
  // Mounted at /tmux, Hono's '/' matches `/tmux` only; `/tmux/` (what people type, and what
  // `serve --base-path` prints) reaches the wildcard. Anything else under it is not ours.
  app.get('/*', (c, next) => (c.req.path.endsWith('/') && c.req.routePath === `${c.req.path}*` ? servePage(c) : next()));
}

async function servePage(c: Context): Promise<Response> {
  const { hashes } = await loadAssets();
  const html = pageHtml({ path: c.req.path, jsVersion: hashes.js, cssVersion: hashes.css });
  return c.body(html, 200, {
    'content-type': 'text/html; charset=utf-8',
    'cache-control': 'no-cache',
    'content-security-policy': contentSecurityPolicy(c.req.header('host')),
    ...SECURITY_HEADERS,
  });
}

async function serveAsset(c: Context, name: string): Promise<Response> {
  const { files } = await loadAssets();
  const asset = Object.hasOwn(files, name) ? files[name] : undefined;
  if (!asset) return c.json({ error: 'NOT_FOUND', message: `no dashboard file ${name}` }, 404);
  const etag = `"${asset.hash}"`;
  // The page asks for `?v=<hash>`: such a URL never changes content, so cache it for good.
  const cacheControl = c.req.query('v') === asset.hash ? 'public, max-age=31536000, immutable' : 'no-cache';
  const headers = { etag, 'cache-control': cacheControl, ...SECURITY_HEADERS };
  const match = c.req.header('if-none-match');
  if (match && match.split(',').some((tag) => tag.trim().replace(/^W\//, '') === etag)) {
    return c.body(null, 304, headers);
  }
  return c.body(asset.body, 200, { ...headers, 'content-type': asset.type });
}
