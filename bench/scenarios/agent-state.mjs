/**
 * 6. `@agent_state` → `agent.status` (issue 13: under 100 ms at p50 and 250 ms at p99): what an
 * agent's hook does (`tmux set -p -t PANE @agent_state STATE`), timed from just before that tmux
 * command to the event at a client, over ~200 changes alternating busy/ready. The monitor's
 * state signal (src/tmux/source/state-signal.ts: an after-set-option hook and a wait-for
 * channel) makes the change arrive at once; without it tmux's once-a-second format
 * subscription check is the floor. A random pause before each change (up to 1 s) spreads the
 * changes over the phase of that check. The figures include one tmux client process (the
 * agent's own `tmux set` command) and the tracker's hold, if any.
 */
import { now, sleep } from '../lib/clock.mjs';
import { connectClient } from '../lib/client.mjs';
import { startServer } from '../lib/proc.mjs';
import { summarize } from '../lib/stats.mjs';
import { fmt } from '../lib/table.mjs';
import { startTmux } from '../lib/tmux.mjs';
import { waitForSource } from './common.mjs';

export const title = '@agent_state → agent.status (an agent hook to a client)';

const TIMEOUT_MS = 5000;
const GOAL = { p50: 100, p99: 250 };

export async function run(ctx) {
  const changes = ctx.quick ? 10 : 200;
  const tmux = await startTmux();
  let server;
  let client;
  const samples = [];
  let timeouts = 0;
  try {
    server = await startServer({
      args: ['serve', '--port', '0', '-L', tmux.socket, '--quiet'],
      env: { TMUX_MONITOR_SECRET: ctx.secret },
    });
    client = await connectClient(server.url, ctx.token, {});
    await waitForSource(client);
    const pane = (await tmux.tmux('display-message', '-p', '-t', `${tmux.session}:0.0`, '#{pane_id}')).trim();
    ctx.log(`  ${changes} changes of @agent_state on ${pane}`);
    for (let i = 0; i < changes; i++) {
      const state = i % 2 === 0 ? 'busy' : 'ready';
      await sleep(Math.random() * (ctx.quick ? 50 : 1000));
      const wait = client.waitFor((m) => m.type === 'agent.status' && m.pane_id === pane && m.data.status === state, TIMEOUT_MS);
      const t0 = now();
      await tmux.tmux('set-option', '-p', '-t', pane, '@agent_state', state);
      try {
        const { at } = await wait;
        samples.push(at - t0);
      } catch {
        timeouts++;
      }
    }
  } finally {
    await client?.close();
    await server?.stop();
    await tmux.kill();
  }
  const latency = summarize(samples);
  const results = [{ op: '@agent_state → agent.status', latency, timeouts, goal: GOAL }];
  const met = latency.count > 0 && latency.p50 < GOAL.p50 && latency.p99 < GOAL.p99;
  const table = {
    title: `${title} (ms; the clock starts before the agent's tmux command)`,
    columns: ['n', 'timeouts', 'p50', 'p95', 'p99', 'max', 'goal', 'met'],
    rows: [
      [
        latency.count,
        timeouts,
        fmt(latency.p50),
        fmt(latency.p95),
        fmt(latency.p99),
        fmt(latency.max),
        `p50 < ${GOAL.p50}, p99 < ${GOAL.p99}`,
        met ? 'yes' : 'no',
      ],
    ],
  };
  return { params: { changes, timeoutMs: TIMEOUT_MS, jitterMs: 1000 }, results, tables: [table] };
}
