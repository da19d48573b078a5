/**
 * The specification's JavaScript example, as written (with a real token and the test
 * server's port), against tmux-monitor. Node 20 has no global WebSocket: `ws` stands in.
 * As in the spec's intent, it sends once the socket is open.
 */
import WebSocket from 'ws';
import { afterEach, beforeEach, expect, it, vi } from 'vitest';
import { startServer, type TestServer } from '../helpers/server.ts';
import { agentStatus, waitUntil } from './js-support.ts';

let server: TestServer;
beforeEach(async () => {
  server = await startServer();
});
afterEach(async () => {
  vi.restoreAllMocks();
  await server.close();
});

it("the spec's JavaScript example works as written", async () => {
  const logged: unknown[][] = [];
  vi.spyOn(console, 'log').mockImplementation((...args: unknown[]) => void logged.push(args));
  const token = await server.token();

  // ── The example (spec): ──────────────────────────────────────────────────
  const ws = new WebSocket(`ws://localhost:${server.port}/monitor`);
  ws.onopen = () => {
    ws.send(JSON.stringify({ action: 'auth', token: token }));
    ws.send(JSON.stringify({ action: 'subscribe', filters: { types: ['agent.status', 'pane.output'], sessions: ['ai-chat'] } }));
  };
  ws.onmessage = (event) => {
    const data = JSON.parse(event.data as string);
    console.log('Event:', data.type, data.data);
  };
  // ─────────────────────────────────────────────────────────────────────────

  try {
    await waitUntil(() => logged.some((args) => args[1] === 'subscription.confirmed'), 5000, 'the subscription');
    server.source.push(
      agentStatus(1, 'other'),
      {
        type: 'pane.output',
        session: 'ai-chat',
        window: 0,
        pane: 0,
        pane_id: '%1',
        data: { content: 'hi\n', preview: 'hi', severity: 'info', bytes: 3 },
      },
      agentStatus(2, 'ai-chat'),
    );
    await waitUntil(() => logged.some((args) => args[1] === 'agent.status'), 5000, 'the agent.status event');
    const events = logged.filter((args) => args[1] === 'agent.status' || args[1] === 'pane.output');
    expect(events).toEqual([
      ['Event:', 'pane.output', { content: 'hi\n', preview: 'hi', severity: 'info', bytes: 3 }],
      ['Event:', 'agent.status', { status: 'ready', previous: 'busy', agent_type: 'claude', reason: 'n=2' }],
    ]);
    expect(logged.map((args) => args[1]).slice(0, 3)).toEqual(['connection.established', 'auth.response', 'subscription.confirmed']);
  } finally {
    ws.close();
  }
});
