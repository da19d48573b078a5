/**
 * The dashboard with several hosts (a NATS bus): pane ids repeat across hosts (`%0` on
 * each), so statuses, lookups and removals go by host and pane together.
 */
import { describe, expect, it } from 'vitest';
import type { MonitorEvent } from '../../src/client/index.ts';
import type { SnapshotData } from '../../src/protocol/snapshot.ts';
import { DashboardStore, paneKey } from '../../src/dashboard/app/store.ts';

const session = (host: string, status: string) => ({
  host,
  name: 'main',
  id: '$0',
  attached: 0,
  created: '2026-01-01T00:00:00Z',
  windows: [
    {
      index: 0,
      id: '@0',
      name: 'w',
      active: true,
      panes: [
        {
          index: 0,
          id: '%0',
          pid: 1,
          command: 'claude',
          title: '',
          path: '/',
          dead: false,
          agent: { status: status as 'ready', agent_type: 'claude' },
        },
      ],
    },
  ],
});

describe('DashboardStore with hosts', () => {
  it('keeps the same pane id on two hosts apart', () => {
    const store = new DashboardStore();
    const data: SnapshotData = { seq: 1, sessions: [session('devbox', 'busy'), session('vm-1', 'ready')] };
    store.applySnapshot(data, 1000);
    expect(store.hosts()).toEqual(['devbox', 'vm-1']);
    const event: MonitorEvent<'agent.status'> = {
      type: 'agent.status',
      seq: 2,
      timestamp: new Date(2000).toISOString(),
      host: 'vm-1',
      session: 'main',
      window: 0,
      pane: 0,
      pane_id: '%0',
      data: { status: 'waiting', previous: 'ready', agent_type: 'claude', reason: 'screen' },
    };
    expect(store.applyStatus(event, 2500)?.host).toBe('vm-1');
    expect(store.pane('%0', 'vm-1')?.status).toBe('waiting');
    expect(store.pane('%0', 'devbox')?.status).toBe('busy');
    // A re-read keeps each host's own status.
    store.applySnapshot({ seq: 1, sessions: [session('devbox', 'busy'), session('vm-1', 'ready')] }, 3000);
    expect(store.pane('%0', 'vm-1')?.status).toBe('waiting');
    const removed: MonitorEvent<'session.removed'> = {
      type: 'session.removed',
      seq: 3,
      timestamp: '',
      host: 'devbox',
      session: 'main',
      data: { session: 'main' },
    };
    expect(store.applyRemoval(removed)).toBe(true);
    expect(store.sessions.map((s) => s.host)).toEqual(['vm-1']);
  });

  it('selects by key: host and pane id together, a bare id (an older link) on any host', () => {
    const store = new DashboardStore();
    store.applySnapshot({ seq: 1, sessions: [session('devbox', 'busy'), session('vm-1', 'ready')] }, 1000);
    const keys = [...store.panes()].map((p) => p.key);
    expect(keys).toEqual(['devbox/%0', 'vm-1/%0']);
    expect(store.byKey(paneKey('vm-1', '%0'))?.host).toBe('vm-1');
    expect(store.byKey(paneKey('devbox', '%0'))?.status).toBe('busy');
    expect(store.byKey('elsewhere/%0')).toBeUndefined();
    expect(store.byKey('%0')?.host).toBe('devbox');
    // A server without hosts: the key is the bare id.
    expect(paneKey('', '%3')).toBe('%3');
  });
});
