/**
 * The dashboard's HTML page. Every URL in it is relative to a `<base>` that points at the
 * monitor's own root, so the same page works at `/`, mounted at `/tmux`, or behind a
 * proxy that adds a prefix. The app script takes it from there (`document.baseURI`).
 */

/**
 * The `<base href>` for a page served at `path`: the page's own directory when the path
 * ends in `/` (`/`, a proxy's `/tmux/`), else its last segment as a directory — the page at
 * `/tmux` (a mounted monitor's root) must load `/tmux/dashboard/app.js`, not `/dashboard/app.js`.
 */
export function baseHref(path: string): string {
  if (path === '' || path.endsWith('/')) return './';
  const last = path.slice(path.lastIndexOf('/') + 1);
  return `./${last}/`;
}

const escapeAttr = (text: string): string =>
  text.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!);

/** A small terminal-window icon, inline so the page makes no extra request for it. */
const ICON =
  "data:image/svg+xml,%3Csvg xmlns='http://www.w3.org/2000/svg' viewBox='0 0 32 32'%3E%3Crect x='2' y='4' width='28' height='24' rx='5' fill='%231f6feb'/%3E%3Cpath d='M8 12l5 4-5 4' stroke='white' stroke-width='2.5' fill='none' stroke-linecap='round' stroke-linejoin='round'/%3E%3Cpath d='M16 21h8' stroke='white' stroke-width='2.5' stroke-linecap='round'/%3E%3C/svg%3E";

export function pageHtml(options: { path: string; jsVersion: string; cssVersion: string }): string {
  const base = escapeAttr(baseHref(options.path));
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="color-scheme" content="light dark">
<meta name="referrer" content="no-referrer">
<base href="${base}">
<title>tmux-monitor</title>
<link rel="icon" href="${ICON}">
<link rel="stylesheet" href="dashboard/app.css?v=${escapeAttr(options.cssVersion)}">
<script src="dashboard/app.js?v=${escapeAttr(options.jsVersion)}" defer></script>
</head>
<body>
<noscript><p class="noscript">The tmux-monitor dashboard needs JavaScript. The WebSocket endpoint is <code>monitor</code> under this address.</p></noscript>
<div id="app"></div>
</body>
</html>
`;
}
