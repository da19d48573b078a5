/**
 * The WebSocket URL to connect to: `/monitor` is appended when the path is empty or `/`,
 * and `http(s):` becomes `ws(s):` so the dashboard's page URL can be passed as is.
 */
export function monitorUrl(input: string | URL): string {
  const url = new URL(String(input));
  if (url.protocol === 'http:') url.protocol = 'ws:';
  else if (url.protocol === 'https:') url.protocol = 'wss:';
  if (url.protocol !== 'ws:' && url.protocol !== 'wss:') {
    throw new TypeError(`not a WebSocket URL: ${String(input)} (expected ws://, wss://, http:// or https://)`);
  }
  if (url.pathname === '' || url.pathname === '/') url.pathname = '/monitor';
  return url.toString();
}
