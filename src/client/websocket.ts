/**
 * The small part of the WebSocket API the client uses. Both the Web-standard
 * `WebSocket` (browsers, Deno, Bun, Node ≥ 22) and the `ws` package's class fit it.
 */

// Handlers are declared bivariantly (the "bivariance hack") so that `ws`'s richer event
// classes and the DOM's are both assignable to this interface.
type Handler<E> = { bivarianceHack(event: E): void }['bivarianceHack'];

export interface WebSocketLike {
  readonly readyState: number;
  onopen: Handler<unknown> | null;
  onmessage: Handler<{ data: unknown }> | null;
  onclose: Handler<{ code: number; reason: string }> | null;
  onerror: Handler<unknown> | null;
  send(data: string): void;
  close(code?: number, reason?: string): void;
}

export type WebSocketConstructor = new (url: string) => WebSocketLike;

/** `readyState` of an open socket (the same in every implementation). */
export const OPEN = 1;

/**
 * The constructor to use: the one given, else the global one, else the `ws` package
 * (Node 20 has no global WebSocket). `loadWs` is passed in rather than imported here so
 * that this module stays free of any reference to `ws`.
 */
export async function resolveWebSocket(
  given: WebSocketConstructor | undefined,
  loadWs: () => Promise<WebSocketConstructor>,
): Promise<WebSocketConstructor> {
  if (given) return given;
  const global = (globalThis as { WebSocket?: WebSocketConstructor }).WebSocket;
  if (typeof global === 'function') return global;
  return loadWs();
}
