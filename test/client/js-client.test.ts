/** The JS client against a real in-process server, over real WebSockets (`ws`). */
import WebSocket from 'ws';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { startServer, type TestServer } from '../helpers/server.ts';
import { TmuxMonitor, TmuxMonitorError, type MonitorEvent, type WebSocketConstructor } from '../../src/client/index.ts';
import type { SessionSnapshot } from '../../src/protocol/snapshot.ts';
import { agentStatus, nextLifecycle, take } from './js-support.ts';

const tree: SessionSnapshot[] = [
  {
    name: 'ai-chat',
    id: '$1',
    attached: 1,
    created: '2026-01-01T00:00:00.000Z',
    windows: [
      {
        index: 0,
        id: '@1',
        name: 'main',
        active: true,
        panes: [
          {
            index: 0,
            id: '%1',
            pid: 42,
            command: 'claude',
            title: 't',
            path: '/w',
            dead: false,
            agent: { status: 'ready', agent_type: 'claude' },
            content: 'hello\nworld',
          },
        ],
      },
    ],
  },
  { name: 'build', id: '$2', attached: 0, created: '2026-01-01T00:00:00.000Z', windows: [] },
];

let server: TestServer;
const monitors: TmuxMonitor[] = [];

beforeEach(async () => {
  server = await startServer();
  server.source.sessions = tree;
});
afterEach(async () => {
  await Promise.all(monitors.splice(0).map((m) => m.close()));
  await server.close();
});

function connect(options: ConstructorParameters<typeof TmuxMonitor>[1] = {}, url = server.url): TmuxMonitor {
  const monitor = new TmuxMonitor(url, { WebSocket: WebSocket as unknown as WebSocketConstructor, ...options });
  monitors.push(monitor);
  return monitor;
}

describe('TmuxMonitor', () => {
  it('connects, authenticates, and reports state, epoch and auth info', async () => {
    const monitor = connect({ token: await server.token({ role: 'operator', sessions: ['ai-*'] }) });
    expect(monitor.state).toBe('connecting');
    const opened = await nextLifecycle(monitor, 'open');
    expect(monitor.state).toBe('open');
    expect(opened.reconnected).toBe(false);
    expect(monitor.epoch).toBe(server.monitor.hub.epoch);
    expect(opened.epoch).toBe(server.monitor.hub.epoch);
    expect(monitor.auth).toMatchObject({ subject: 'test', role: 'operator', sessions: ['ai-*'] });
    expect(monitor.auth?.permissions).toContain('write');
    expect(monitor.auth?.permissions).not.toContain('admin');
    expect(monitor.clientId).toBe(opened.clientId);
  });

  it('finds a WebSocket on its own: the global one, or on Node 20 the ws package', async () => {
    const monitor = new TmuxMonitor(server.url, { token: await server.token() });
    monitors.push(monitor);
    await monitor.subscribe({});
    expect(monitor.state).toBe('open');
  });

  it('appends /monitor when the URL has no path, and takes http URLs', async () => {
    expect(connect({}, `ws://127.0.0.1:${server.port}`).url).toBe(`ws://127.0.0.1:${server.port}/monitor`);
    expect(connect({}, `http://127.0.0.1:${server.port}/`).url).toBe(`ws://127.0.0.1:${server.port}/monitor`);
    const monitor = connect({ token: await server.token() }, `ws://127.0.0.1:${server.port}`);
    await nextLifecycle(monitor, 'open');
  });

  it('delivers subscribed events through events(), on(type), on(family) and on(*), in seq order', async () => {
    const monitor = connect({ token: await server.token() });
    const stream = monitor.events();
    const byType: MonitorEvent<'agent.status'>[] = [];
    const byFamily: string[] = [];
    const all: number[] = [];
    monitor.on('agent.status', (event) => byType.push(event));
    monitor.on('pane.*', (event) => byFamily.push(event.type));
    monitor.on('*', (event) => all.push(event.seq));
    const subscription = await monitor.subscribe({ types: ['agent.status', 'pane.*'] });
    expect(subscription.id).toMatch(/^sub-/);
    expect(subscription.filters.types).toEqual(['agent.status', 'pane.*']);

    server.source.push(
      agentStatus(1),
      {
        type: 'pane.output',
        session: 'ai-chat',
        window: 0,
        pane: 0,
        pane_id: '%1',
        data: { content: 'x', preview: 'x', severity: 'info', bytes: 1 },
      },
      { type: 'session.created', session: 'other', data: { session: 'other', windows: 1, path: '/' } },
      agentStatus(2),
    );
    const events = await take(stream, 3);
    expect(events.map((e) => e.type)).toEqual(['agent.status', 'pane.output', 'agent.status']);
    expect(events.map((e) => e.seq)).toEqual([...events.map((e) => e.seq)].sort((a, b) => a - b));
    expect(byType.map((e) => e.data.reason)).toEqual(['n=1', 'n=2']);
    expect(byFamily).toEqual(['pane.output']);
    expect(all).toEqual(events.map((e) => e.seq));
    expect(monitor.lastSeq).toBe(events[2]!.seq);
  });

  it('applies filters: sessions, windows, panes; subscriptions add up; unsubscribe stops one', async () => {
    const monitor = connect({ token: await server.token() });
    const stream = monitor.events();
    const inChat = await monitor.subscribe({ types: ['agent.status'], sessions: ['ai-chat'] });
    await monitor.subscribe({ types: ['agent.status'], panes: ['build:1.2'] });
    server.source.push(
      agentStatus(1, 'ai-chat'),
      agentStatus(2, 'elsewhere'),
      { ...agentStatus(3, 'build'), window: 1, pane: 2, pane_id: '%9' },
      { ...agentStatus(4, 'build'), window: 1, pane: 3, pane_id: '%10' },
      { type: 'session.created', session: 'ai-chat', data: { session: 'ai-chat', windows: 1, path: '/' } },
      agentStatus(5, 'ai-chat'),
    );
    const events = await take(stream, 3);
    expect(events.map((e) => `${e.session}:${(e as MonitorEvent<'agent.status'>).data.reason}`)).toEqual([
      'ai-chat:n=1',
      'build:n=3',
      'ai-chat:n=5',
    ]);

    await inChat.unsubscribe();
    expect(inChat.active).toBe(false);
    server.source.push(agentStatus(6, 'ai-chat'), { ...agentStatus(7, 'build'), window: 1, pane: 2, pane_id: '%9' });
    const [next] = await take(stream, 1);
    expect((next as MonitorEvent<'agent.status'>).data.reason).toBe('n=7');
  });

  it('a token limited to some sessions sees only those', async () => {
    const monitor = connect({ token: await server.token({ role: 'viewer', sessions: ['build'] }) });
    const stream = monitor.events();
    await monitor.subscribe({});
    server.source.push(agentStatus(1, 'ai-chat'), agentStatus(2, 'build'));
    const [event] = await take(stream, 1);
    expect(event?.session).toBe('build');
  });

  it('rejects an invalid filter with INVALID_FILTER and drops that subscription', async () => {
    const monitor = connect({ token: await server.token() });
    const error = await monitor.subscribe({ types: ['not a type!' as 'agent.status'] }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(TmuxMonitorError);
    expect((error as TmuxMonitorError).code).toBe('INVALID_FILTER');
    expect(monitor.state).toBe('open');
  });

  it('snapshot round trips: whole tree, a pane with its text, an unknown session', async () => {
    const monitor = connect({ token: await server.token() });
    // Asked before the connection is open: queued, then sent.
    const whole = await monitor.snapshot();
    expect(whole.sessions.map((s) => s.name)).toEqual(['ai-chat', 'build']);
    expect(typeof whole.seq).toBe('number');
    expect(whole.sessions[0]!.windows[0]!.panes[0]!.content).toBeUndefined();

    const pane = await monitor.snapshot('ai-chat:0.0', { lines: 10 });
    expect(pane.sessions).toHaveLength(1);
    expect(pane.sessions[0]!.windows[0]!.panes[0]!.content).toBe('hello\nworld');

    const missing = await monitor.snapshot({ session: 'nope' }).catch((e: unknown) => e);
    expect(missing).toMatchObject({ name: 'TmuxMonitorError', code: 'NOT_FOUND' });
  });

  it('command round trips: send (with and without Enter), interrupt, and the errors', async () => {
    const monitor = connect({ token: await server.token({ role: 'operator' }) });
    const sent = await monitor.command('ai-chat:0.0', 'send', 'ls -la');
    expect(sent).toMatchObject({
      type: 'command.result',
      success: true,
      command: 'send',
      target: { session: 'ai-chat', window: 0, pane: 0 },
    });
    await monitor.command({ session: 'ai-chat', window: 'main' }, 'send', 'draft', { enter: false });
    await monitor.command('ai-chat:0.0', 'interrupt');
    // The server hands its source the pane it resolved, by id.
    const pinned = { session: '$1', window: '@1', pane: '%1' };
    expect(server.source.commands).toEqual([
      { target: pinned, command: 'send', text: 'ls -la', enter: true },
      { target: pinned, command: 'send', text: 'draft', enter: false },
      { target: pinned, command: 'interrupt', text: undefined, enter: true },
    ]);
    await expect(monitor.command('nope:0', 'interrupt')).rejects.toMatchObject({ code: 'NOT_FOUND' });

    const viewer = connect({ token: await server.token({ role: 'viewer' }) });
    await expect(viewer.command('ai-chat:0.0', 'interrupt')).rejects.toMatchObject({ code: 'FORBIDDEN' });
    expect(() => viewer.command('ai-chat', 'interrupt')).toThrow(/session:window/);
  });

  it('ping round trips; requests after close() reject with CLOSED; events() ends', async () => {
    const monitor = connect({ token: await server.token() });
    expect(await monitor.ping()).toBeGreaterThanOrEqual(0);
    const stream = monitor.events();
    const ended = stream.next();
    const closed = nextLifecycle(monitor, 'close');
    await monitor.close();
    expect(await closed).toMatchObject({ code: 1000, terminal: false, willReconnect: false });
    expect(await ended).toEqual({ value: undefined, done: true });
    expect(monitor.state).toBe('closed');
    await expect(monitor.snapshot()).rejects.toMatchObject({ code: 'CLOSED' });
    await expect(monitor.subscribe()).rejects.toMatchObject({ code: 'CLOSED' });
  });

  it('works with a server that has auth turned off (no token)', async () => {
    const open = await startServer({ auth: false });
    try {
      const monitor = connect({}, open.url);
      const stream = monitor.events();
      await monitor.subscribe({ types: ['agent.*'] });
      expect(monitor.auth).toBeNull();
      open.source.push(agentStatus(1));
      expect((await take(stream, 1))[0]?.type).toBe('agent.status');
    } finally {
      await Promise.all(monitors.splice(0).map((m) => m.close()));
      await open.close();
    }
  });
});
