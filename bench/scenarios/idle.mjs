/**
 * 5. Idle cost: 20 panes in tmux with nothing happening, one subscribed client, for
 * 60 s: CPU seconds of the server process, of what it runs (tmux control clients, or the
 * polling source's tmux processes), and of the tmux server itself. Control mode beside
 * the polling source (500 ms), and a server with no tmux source as the floor. The three
 * run at once on three tmux servers, so they see the same machine.
 */
import { sleep } from '../lib/clock.mjs';
import { connectClient } from '../lib/client.mjs';
import { cpuSeconds, startServer, treeCpuSeconds } from '../lib/proc.mjs';
import { round } from '../lib/stats.mjs';
import { fmt } from '../lib/table.mjs';
import { startTmux } from '../lib/tmux.mjs';
import { waitForSource } from './common.mjs';

export const title = 'Idle cost: quiet panes';

export async function run(ctx) {
  const seconds = ctx.quick ? 1 : 60;
  const panes = ctx.quick ? 4 : 20;
  const configs = [
    { source: 'tmux', label: 'control mode' },
    { source: 'poll', label: 'polling 500 ms — baseline' },
    { source: 'none', label: 'no source (floor)' },
  ];
  ctx.log(`  ${configs.map((c) => c.label).join(', ')}: ${panes} panes, ${seconds} s, side by side`);
  const setups = [];
  try {
    for (const config of configs) {
      const setup = { ...config };
      setups.push(setup);
      if (config.source !== 'none') {
        setup.tmux = await startTmux();
        // `panes` panes: windows of 4.
        for (let i = 1; i < panes; i++) {
          if (i % 4 === 0) await setup.tmux.tmux('new-window', '-d', '-t', `${setup.tmux.session}:`);
          else await setup.tmux.tmux('split-window', '-d', '-t', `${setup.tmux.session}:${Math.floor(i / 4)}`);
        }
      }
      const sourceArgs =
        config.source === 'none' ? ['--source', 'none'] : ['-L', setup.tmux.socket, '--source', config.source, '--poll-interval', '500'];
      setup.server = await startServer({
        args: ['serve', '--port', '0', ...sourceArgs, '--quiet'],
        env: { TMUX_MONITOR_SECRET: ctx.secret },
      });
      setup.client = await connectClient(setup.server.url, ctx.token, {});
      if (config.source !== 'none') await waitForSource(setup.client);
      setup.events = 0;
      setup.client.on((m) => {
        if (typeof m.seq === 'number') setup.events++;
      });
    }
    await sleep(ctx.quick ? 500 : 3000); // let start-up work (agent baselines, first polls) finish
    for (const s of setups) {
      s.events = 0;
      s.before = { server: treeCpuSeconds(s.server.pid), tmux: s.tmux ? cpuSeconds(s.tmux.pid).self : 0 };
    }
    await sleep(seconds * 1000);
    for (const s of setups) {
      const server = treeCpuSeconds(s.server.pid);
      const tmux = s.tmux ? cpuSeconds(s.tmux.pid).self : 0;
      s.result = {
        serverCpuSeconds: round(server.self - s.before.server.self, 2),
        childrenCpuSeconds: round(server.children - s.before.server.children, 2),
        tmuxServerCpuSeconds: round(tmux - s.before.tmux, 2),
        eventsReceived: s.events,
      };
      const total = s.result.serverCpuSeconds + s.result.childrenCpuSeconds + s.result.tmuxServerCpuSeconds;
      s.result.totalCpuSeconds = round(total, 2);
      s.result.serverCpuPercent = round((s.result.serverCpuSeconds / seconds) * 100, 3);
      s.result.totalCpuPercent = round((total / seconds) * 100, 3);
    }
  } finally {
    for (const s of setups) {
      await s.client?.close();
      await s.server?.stop();
      await s.tmux?.kill();
    }
  }
  const results = setups.map((s) => ({ source: s.source, label: s.label, panes: s.source === 'none' ? 0 : panes, seconds, ...s.result }));
  const table = {
    title: `${title} (${panes} panes, ${seconds} s; CPU seconds, % of one core)`,
    columns: ['source', 'server CPU s', 'its children CPU s', 'tmux server CPU s', 'server %', 'all %', 'events'],
    rows: results.map((r) => [
      r.label,
      fmt(r.serverCpuSeconds),
      fmt(r.childrenCpuSeconds),
      fmt(r.tmuxServerCpuSeconds),
      `${fmt(r.serverCpuPercent, 2)}%`,
      `${fmt(r.totalCpuPercent, 2)}%`,
      r.eventsReceived,
    ]),
  };
  return { params: { seconds, panes, pollIntervalMs: 500 }, results, tables: [table] };
}
