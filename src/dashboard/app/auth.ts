/**
 * Where the dashboard's token lives: handed over in the URL fragment (`/#token=…`, which
 * `tmux-monitor serve` prints; a fragment never reaches a server or a log), then moved to
 * sessionStorage at once and wiped from the address bar. It never goes into a query string.
 */

/** One key per monitor: two monitors mounted on one origin keep their own tokens. */
function storageKey(): string {
  return `tmux-monitor.token:${new URL(document.baseURI).pathname}`;
}

function storage(): Storage | null {
  try {
    return window.sessionStorage;
  } catch {
    return null; // storage disabled: the token lasts as long as the page
  }
}

/** Takes `token` from the fragment (and removes the fragment from history); null if none. */
export function takeTokenFromFragment(): string | null {
  if (!location.hash) return null;
  const params = new URLSearchParams(location.hash.slice(1));
  const token = params.get('token');
  if (token === null) return null;
  history.replaceState(history.state, '', location.pathname + location.search);
  const trimmed = token.trim();
  if (trimmed) storeToken(trimmed);
  return trimmed || null;
}

export function storedToken(): string | null {
  return storage()?.getItem(storageKey()) ?? null;
}

export function storeToken(token: string): void {
  storage()?.setItem(storageKey(), token);
}

export function forgetToken(): void {
  storage()?.removeItem(storageKey());
}

/** The WebSocket endpoint next to the page: `monitor` under the page's base, http → ws. */
export function monitorEndpoint(): string {
  const url = new URL('monitor', document.baseURI);
  url.protocol = url.protocol === 'https:' ? 'wss:' : 'ws:';
  url.hash = '';
  url.search = '';
  return url.toString();
}
