/** v1.1 attention in the JS client (`ack()`, `agent.attention`) and `tail --attention`. */
import WebSocket from 'ws';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { TmuxMonitor, type MonitorEvent, type WebSocketConstructor } from '../../src/client/index.ts';
import { tailCommand } from '../../src/cli/tail.ts';
import type { AgentStatus, RawEvent } from '../../src/protocol/events.ts';
import { startServer, type TestServer } from '../helpers/server.ts';
import { waitUntil } from './js-support.ts';

const sessions = [
  {
    name: 'ai-chat',
    id: '$0',
    attached: 0,
    created: '2026-12-01T00:00:00.000Z',
    windows: [
      {
        index: 0,
        id: '@0',
        name: 'claude',
        active: true,
        panes: [
          {
            index: 0,
            id: '%1',
            pid: 1,
            command: 'claude',
            title: '',
            path: '/',
            dead: false,
            agent: { status: 'ready' as const, agent_type: 'claude' },
          },
        ],
      },
    ],
  },
];

function status(status: AgentStatus, previous: AgentStatus): RawEvent {
  return {
    type: 'agent.status',
    session: 'ai-chat',
    window: 0,
    pane: 0,
    pane_id: '%1',
    data: { status, previous, agent_type: 'claude', reason: 'permission prompt' },
  };
}

let server: TestServer;
beforeEach(async () => {
  server = await startServer();
  server.source.sessions = sessions;
});
afterEach(async () => {
  await server.close();
});

describe('JS client: attention', () => {
  it('on("agent.attention") and ack()', async () => {
    const monitor = new TmuxMonitor(server.url, {
      token: await server.token({ role: 'viewer' }),
      WebSocket: WebSocket as unknown as WebSocketConstructor,
    });
    try {
      const seen: MonitorEvent<'agent.attention'>[] = [];
      monitor.on('agent.attention', (e) => seen.push(e));
      await monitor.subscribe({ types: ['agent.*'] });
      server.source.push(status('busy', 'ready'), status('waiting', 'busy'));
      await waitUntil(() => seen.length === 1, 5000, 'attention');
      expect(seen[0]).toMatchObject({ session: 'ai-chat', pane_id: '%1', data: { attention: 'waiting', previous: null } });
      const snapshot = await monitor.snapshot('ai-chat:0.0');
      expect(snapshot.sessions[0]!.windows[0]!.panes[0]!.attention).toBe('waiting');
      const result = await monitor.ack('ai-chat:0.0');
      expect(result).toMatchObject({ type: 'ack.result', success: true, cleared: 1 });
      await waitUntil(() => seen.length === 2, 5000, 'cleared');
      expect(seen[1]!.data).toMatchObject({ attention: null, previous: 'waiting' });
      await expect(monitor.ack({ session: 'nope', window: 0 })).rejects.toMatchObject({ code: 'NOT_FOUND' });
    } finally {
      await monitor.close();
    }
  });

  it('tail --attention prints only what needs a person', async () => {
    const out: string[] = [];
    const err: string[] = [];
    const controller = new AbortController();
    const exit = tailCommand(['--url', server.url, '--attention'], {
      env: { TMUX_MONITOR_TOKEN: await server.token() },
      isTTY: false,
      signal: controller.signal,
      stdout: (s) => out.push(s),
      stderr: (s) => err.push(s),
      WebSocket: WebSocket as unknown as typeof globalThis.WebSocket,
    });
    await waitUntil(() => err.join('').includes('subscribed to'), 5000, 'the subscription');
    expect(err.join('')).toContain('types agent.attention');
    server.source.push(status('busy', 'ready'), status('waiting', 'busy'), status('busy', 'waiting'), status('error', 'busy'));
    await waitUntil(() => out.join('').split('\n').filter(Boolean).length >= 2, 5000, 'two lines');
    controller.abort();
    expect(await exit).toBe(0);
    const lines = out.join('').split('\n').filter(Boolean);
    expect(lines).toHaveLength(2);
    expect(lines[0]).toMatch(/agent\.attention\s+ai-chat:0\.0\s+needs you: waiting/);
    expect(lines[1]).toContain('needs you: error');
  });
});
