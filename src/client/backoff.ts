/** Reconnect delays: exponential backoff with "full jitter" (a uniform pick in [0, cap]). */

export interface BackoffOptions {
  /** Cap of the first delay, ms (default 500). */
  initialDelayMs?: number;
  /** Largest cap, ms (default 20 000). */
  maxDelayMs?: number;
  /** Growth of the cap per attempt (default 2). */
  factor?: number;
}

export const DEFAULT_BACKOFF: Required<BackoffOptions> = { initialDelayMs: 500, maxDelayMs: 20_000, factor: 2 };

/**
 * Delay before reconnect attempt `attempt` (0 for the first). Full jitter spreads the
 * reconnects of many clients after a server restart instead of having them arrive in waves.
 */
export function backoffDelay(attempt: number, options: BackoffOptions = {}, random: () => number = Math.random): number {
  const { initialDelayMs, maxDelayMs, factor } = { ...DEFAULT_BACKOFF, ...options };
  const cap = Math.min(maxDelayMs, initialDelayMs * factor ** Math.max(0, attempt));
  return Math.round(random() * cap);
}
