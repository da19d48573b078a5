/**
 * 2. Structural latency: a tmux command (new-window, rename-window, kill-window) → its
 * event at a client; and `agent.status` after an agent's state changes, both through
 * `@agent_state` (what an agent's hooks set) and through its screen (a fake Claude Code
 * whose screen flips between ready and busy). Control mode, and beside it polling.
 * The clock starts before the tmux command is run, so every figure includes one tmux
 * client process (the "tmux command alone" row shows that part).
 *
 * Before each change the bench pauses for a random time (up to the period of whatever
 * timer the path waits on: the 500 ms poll, tmux's 1 s subscription check). Without it
 * each change would be made just after the previous event, in the same phase of that
 * timer every time, and the figures would show one phase instead of the spread.
 */
import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { now, sleep } from '../lib/clock.mjs';
import { connectClient } from '../lib/client.mjs';
import { ROOT, startServer } from '../lib/proc.mjs';
import { summarize } from '../lib/stats.mjs';
import { fmt } from '../lib/table.mjs';
import { startTmux } from '../lib/tmux.mjs';
import { waitForSource } from './common.mjs';

export const title = 'Structural latency: tmux change → event';

const FAKE_AGENT = join(ROOT, 'bench', 'servers', 'fake-agent.sh');
const TIMEOUT_MS = 5000;

export async function run(ctx) {
  const reps = ctx.quick ? 1 : 10;
  const agentReps = ctx.quick ? 1 : 5;
  const results = [];
  for (const source of ['tmux', 'poll']) {
    ctx.log(`  ${source === 'tmux' ? 'control mode' : 'polling 500 ms'}: ${reps} window ops, ${agentReps} agent changes each way`);
    try {
      results.push(...(await measure(ctx, source, reps, agentReps)));
    } catch (error) {
      results.push({ source, op: 'all', error: String(error.message ?? error) });
    }
  }
  const label = { tmux: 'control mode', poll: 'polling 500 ms' };
  const ops = [...new Set(results.map((r) => r.op))];
  const table = {
    title: `${title} (ms; the clock starts before the tmux command)`,
    columns: ['change → event', 'source', 'n', 'timeouts', 'p50', 'p95', 'max'],
    rows: ops.flatMap((op) =>
      results
        .filter((r) => r.op === op)
        .map((r) =>
          r.latency
            ? [op, label[r.source] ?? r.source, r.latency.count, r.timeouts, fmt(r.latency.p50), fmt(r.latency.p95), fmt(r.latency.max)]
            : [op, label[r.source] ?? r.source, '', '', `error: ${r.error}`, '', ''],
        ),
    ),
  };
  return {
    params: { reps, agentReps, pollIntervalMs: 500, timeoutMs: TIMEOUT_MS, jitterMs: { default: 500, agentState: 1000 } },
    results,
    tables: [table],
  };
}

function exec(args) {
  return new Promise((resolve, reject) => execFile('tmux', args, { timeout: 5000 }, (e, out) => (e ? reject(e) : resolve(out))));
}

async function measure(ctx, source, reps, agentReps) {
  const tmux = await startTmux();
  let server;
  let client;
  const rows = [];
  const record = (op, samples, timeouts) => rows.push({ source, op, timeouts, latency: summarize(samples) });
  try {
    server = await startServer({
      args: ['serve', '--port', '0', '-L', tmux.socket, '--source', source, '--poll-interval', '500', '--quiet'],
      env: { TMUX_MONITOR_SECRET: ctx.secret },
    });
    client = await connectClient(server.url, ctx.token, {});
    await waitForSource(client);

    /** Runs `action` after a random pause, and times from just before it until the first event that matches. */
    const timed = async (match, action, jitterMs = 500) => {
      await sleep(Math.random() * (ctx.quick ? 50 : jitterMs));
      const wait = client.waitFor(match, TIMEOUT_MS);
      const t0 = now();
      await action();
      try {
        const { at } = await wait;
        return at - t0;
      } catch {
        return null;
      }
    };
    const series = async (op, count, step) => {
      const samples = [];
      let timeouts = 0;
      for (let i = 0; i < count; i++) {
        const ms = await step(i);
        if (ms === null) timeouts++;
        else samples.push(ms);
      }
      record(op, samples, timeouts);
    };

    if (source === 'tmux') {
      // The part of every figure below that is tmux's own: one tmux client process.
      await series('tmux command alone', reps, async () => {
        const t0 = now();
        await exec(['-L', tmux.socket, 'display-message', '-p', 'x']);
        return now() - t0;
      });
    }
    const s = tmux.session;
    await series('new-window', reps, (i) =>
      timed(
        (m) => m.type === 'window.created' && m.window_name === `w${i}`,
        () => tmux.tmux('new-window', '-d', '-t', `${s}:`, '-n', `w${i}`),
      ),
    );
    await series('rename-window', reps, (i) =>
      timed(
        (m) => m.type === 'window.renamed' && m.data.new_name === `r${i}`,
        () => tmux.tmux('rename-window', '-t', `${s}:w${i}`, `r${i}`),
      ),
    );
    await series('kill-window', reps, (i) =>
      timed(
        (m) => m.type === 'window.removed' && m.window_name === `r${i}`,
        () => tmux.tmux('kill-window', '-t', `${s}:r${i}`),
      ),
    );

    const main = (await tmux.tmux('display-message', '-p', '-t', `${s}:0.0`, '#{pane_id}')).trim();
    await series('agent.status via @agent_state', agentReps * 2, (i) => {
      const state = i % 2 === 0 ? 'busy' : 'ready';
      return timed(
        (m) => m.type === 'agent.status' && m.pane_id === main && m.data.status === state,
        () => tmux.tmux('set-option', '-p', '-t', main, '@agent_state', state),
        1000,
      );
    });

    // Listen before the window is made: on a busy machine its first status can arrive
    // before the command that made it has returned.
    const isReady = (m) => m.type === 'agent.status' && m.data.agent_type === 'claude' && m.data.status === 'ready';
    const ready = new Set();
    const stopListening = client.on((m) => isReady(m) && ready.add(m.pane_id));
    const agent = (
      await tmux.tmux('new-window', '-d', '-P', '-F', '#{pane_id}', '-t', `${s}:`, '-n', 'agent', `bash ${FAKE_AGENT} claude`)
    ).trim();
    if (!ready.has(agent)) await client.waitFor((m) => isReady(m) && m.pane_id === agent, 20_000);
    stopListening();
    await series('agent.status via screen (Claude Code)', agentReps * 2, (i) => {
      const state = i % 2 === 0 ? 'busy' : 'ready';
      return timed(
        (m) => m.type === 'agent.status' && m.pane_id === agent && m.data.status === state,
        () => tmux.tmux('send-keys', '-t', agent, 'Enter'),
      );
    });
    return rows;
  } catch (error) {
    // What was measured before the failure stands; the failure is a row of its own.
    rows.push({ source, op: 'all', error: String(error.message ?? error) });
    return rows;
  } finally {
    await client?.close();
    await server?.stop();
    await tmux.kill();
  }
}
