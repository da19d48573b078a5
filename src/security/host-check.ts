/**
 * The `Host` header allow-list, against DNS rebinding: a page on `evil.example` whose name
 * is made to resolve to 127.0.0.1 reaches a loopback server with `Host: evil.example`. So
 * only names we know are ours are answered: loopback names (`localhost`, `*.localhost`),
 * IP literals (a literal cannot be rebound), and the names configured (the bind address,
 * `--public-host`). Anything else gets 421 before any route runs.
 */

/** `["*"]` turns the check off (for a proxy that has already checked). */
export type HostAllowList = readonly string[];

export function createHostCheck(allowed: HostAllowList = []): (hostHeader: string | undefined) => boolean {
  if (allowed.includes('*')) return () => true;
  const names = new Set(allowed.map(normalizeHost).filter((h): h is string => h !== null));
  const check = (header: string | undefined): boolean => {
    const host = header === undefined ? null : normalizeHost(header);
    if (host === null) return false;
    return names.has(host) || host === 'localhost' || host.endsWith('.localhost') || isIpLiteral(host);
  };
  // Every request carries the same few Host values: remember the last one allowed, so that a
  // burst of connections is not parsed a header at a time.
  let lastAllowed: string | undefined;
  return (header) => {
    if (header !== undefined && header === lastAllowed) return true;
    const ok = check(header);
    if (ok) lastAllowed = header;
    return ok;
  };
}

/** Lower-case host without port, brackets or a trailing dot; null when it is not a host at all. */
export function normalizeHost(value: string): string | null {
  let host = value.trim().toLowerCase();
  if (host === '') return null;
  if (host.startsWith('[')) {
    const end = host.indexOf(']');
    if (end < 0) return null;
    const rest = host.slice(end + 1);
    if (rest !== '' && !/^:\d{1,5}$/.test(rest)) return null;
    host = host.slice(1, end);
    return isIpv6(host) ? host : null;
  }
  if (isIpv6(host)) return host;
  const colon = host.lastIndexOf(':');
  if (colon >= 0) {
    if (!/^\d{1,5}$/.test(host.slice(colon + 1))) return null;
    host = host.slice(0, colon);
  }
  if (host.endsWith('.')) host = host.slice(0, -1);
  return /^[a-z0-9_-]+(\.[a-z0-9_-]+)*$/.test(host) ? host : null;
}

function isIpLiteral(host: string): boolean {
  return isIpv4(host) || isIpv6(host);
}

function isIpv4(host: string): boolean {
  const parts = host.split('.');
  return parts.length === 4 && parts.every((p) => /^\d{1,3}$/.test(p) && Number(p) <= 255);
}

function isIpv6(host: string): boolean {
  return host.includes(':') && /^[0-9a-f:.]+$/.test(host) && host.split(':').length <= 9;
}

/**
 * With auth off nothing but the browser's same-origin rule stands between a web page and
 * the panes, so only the server's own origin (the page it served) and the listed origins
 * may connect from a browser. Requests without `Origin` are not from a browser page.
 */
export function sameOrigin(origin: string, hostHeader: string | undefined): boolean {
  if (hostHeader === undefined) return false;
  try {
    const url = new URL(origin);
    if (url.protocol !== 'http:' && url.protocol !== 'https:') return false;
    // Parsed the same way, so a default port written or left out compares equal.
    return url.host === new URL(`${url.protocol}//${hostHeader}`).host;
  } catch {
    return false;
  }
}
