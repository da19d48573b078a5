import type { WebSocketConstructor } from './websocket.ts';

/**
 * Node 20 has no global WebSocket, so the client falls back to the `ws` package.
 * This is the only place that names 'ws': browser bundles mark it external and, since a
 * browser always has a global WebSocket, never reach this import.
 */
export async function loadWs(): Promise<WebSocketConstructor> {
  const mod = (await import('ws')) as { default?: unknown; WebSocket?: unknown };
  const ctor = mod.WebSocket ?? mod.default;
  if (typeof ctor !== 'function') throw new Error("the 'ws' package did not export a WebSocket class");
  return ctor as WebSocketConstructor;
}
