/** Helpers shared by the tmux scenarios. */
import { until } from '../lib/clock.mjs';

/** Waits until the server's tmux source answers a snapshot with at least one session. */
export async function waitForSource(client, timeoutMs = 15_000) {
  await until(
    async () => {
      const reply = await client.request({ action: 'snapshot' }, 5000, (m) => m.type === 'snapshot.data').catch(() => null);
      return reply?.type === 'snapshot.data' && reply.data.sessions.length > 0;
    },
    { timeoutMs, everyMs: 100, what: 'the tmux source' },
  );
}
