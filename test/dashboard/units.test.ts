/**
 * The dashboard's pure parts, without a browser: the store's status bookkeeping (events and
 * snapshots crossing), durations and summaries, the page's base URL and its CSP.
 */
import { describe, expect, it } from 'vitest';
import type { MonitorEvent } from '../../src/client/index.ts';
import type { SnapshotData } from '../../src/protocol/snapshot.ts';
import { DashboardStore } from '../../src/dashboard/app/store.ts';
import { formatDuration, oneLine, summarize } from '../../src/dashboard/app/format.ts';
import { baseHref, contentSecurityPolicy, pageHtml } from '../../src/dashboard/index.ts';

function snapshot(seq: number, status: string, extra: { id: string; status: string }[] = []): SnapshotData {
  const pane = (id: string, index: number, s: string) => ({
    index,
    id,
    pid: 1,
    command: 'claude',
    title: '',
    path: '/',
    dead: false,
    agent: { status: s as 'ready', agent_type: 'claude' },
  });
  return {
    seq,
    sessions: [
      {
        name: 'ai',
        id: '$1',
        attached: 0,
        created: '2026-01-01T00:00:00Z',
        windows: [
          {
            index: 0,
            id: '@1',
            name: 'w',
            active: true,
            panes: [pane('%1', 0, status), ...extra.map((p, i) => pane(p.id, i + 1, p.status))],
          },
        ],
      },
    ],
  };
}

function statusEvent(seq: number, status: string, previous: string, timestamp: string, paneId = '%1'): MonitorEvent<'agent.status'> {
  return {
    type: 'agent.status',
    seq,
    timestamp,
    session: 'ai',
    window: 0,
    pane: 0,
    pane_id: paneId,
    data: { status: status as 'ready', previous: previous as 'ready', agent_type: 'claude', reason: 'screen' },
  };
}

describe('DashboardStore', () => {
  it('marks statuses present at first load as lower bounds, and later changes as exact', () => {
    const store = new DashboardStore();
    store.applySnapshot(snapshot(5, 'busy'), 1000);
    expect(store.pane('%1')).toMatchObject({ status: 'busy', since: 1000, sinceExact: false, session: 'ai', windowIndex: 0 });

    store.applyStatus(statusEvent(6, 'waiting', 'busy', new Date(2000).toISOString()), 2500);
    expect(store.pane('%1')).toMatchObject({ status: 'waiting', since: 2000, sinceExact: true });
    // A re-read that agrees keeps the time.
    store.applySnapshot(snapshot(7, 'waiting'), 9000);
    expect(store.pane('%1')).toMatchObject({ status: 'waiting', since: 2000, sinceExact: true });
    // A pane that appears after the first load is new: its time is exact.
    store.applySnapshot(snapshot(8, 'waiting', [{ id: '%2', status: 'ready' }]), 9500);
    expect(store.pane('%2')).toMatchObject({ status: 'ready', since: 9500, sinceExact: true });
  });

  it('does not let a snapshot older than a status event overwrite it', () => {
    const store = new DashboardStore();
    store.applySnapshot(snapshot(5, 'busy'), 1000);
    store.applyStatus(statusEvent(9, 'error', 'busy', new Date(3000).toISOString()), 3000);
    store.applySnapshot(snapshot(8, 'busy'), 4000); // taken before the event
    expect(store.pane('%1')?.status).toBe('error');
    store.applySnapshot(snapshot(10, 'ready'), 5000); // taken after: it wins
    expect(store.pane('%1')).toMatchObject({ status: 'ready', since: 5000 });
  });

  it('takes a status for a pane it does not know yet when the pane shows up', () => {
    const store = new DashboardStore();
    store.applySnapshot(snapshot(1, 'ready'), 0);
    expect(store.applyStatus(statusEvent(2, 'waiting', 'unknown', new Date(100).toISOString(), '%7'), 100)).toBeUndefined();
    store.applySnapshot(snapshot(1, 'ready', [{ id: '%7', status: 'unknown' }]), 200);
    expect(store.pane('%7')).toMatchObject({ status: 'waiting', since: 100 });
  });

  it('counts agents by status, and shells only when they need someone', () => {
    const store = new DashboardStore();
    const data = snapshot(1, 'waiting', [
      { id: '%2', status: 'busy' },
      { id: '%3', status: 'ready' },
    ]);
    data.sessions[0]!.windows[0]!.panes[2]!.agent.agent_type = 'shell';
    store.applySnapshot(data);
    expect(store.counts()).toMatchObject({ waiting: 1, busy: 1, ready: 0, error: 0 });
    expect(store.firstInterestingPane()?.id).toBe('%1');
  });

  it('drops removed sessions, windows and panes at once', () => {
    const store = new DashboardStore();
    store.applySnapshot(snapshot(1, 'ready', [{ id: '%2', status: 'ready' }]));
    const event = (type: string, extra: object) => ({ type, seq: 2, timestamp: '', data: {}, ...extra }) as unknown as MonitorEvent;
    expect(store.applyRemoval(event('pane.removed', { session: 'ai', window: 0, pane_id: '%2', data: { exit_status: 0 } }))).toBe(true);
    expect(store.pane('%2')).toBeUndefined();
    expect(store.applyRemoval(event('window.removed', { session: 'ai', window: 0 }))).toBe(true);
    expect(store.sessions[0]!.windows).toEqual([]);
    expect(store.applyRemoval(event('session.removed', { session: 'ai', data: { session: 'ai' } }))).toBe(true);
    expect(store.sessions).toEqual([]);
  });
});

describe('format', () => {
  it('writes durations short', () => {
    expect([0, 12_000, 60_000, 3_599_000, 3_600_000, 3_900_000, 90_000_000, -5].map(formatDuration)).toEqual([
      '0s',
      '12s',
      '1m',
      '59m',
      '1h',
      '1h 5m',
      '1d 1h',
      '0s',
    ]);
  });

  it('summarizes events in a few words', () => {
    expect(summarize(statusEvent(1, 'waiting', 'busy', ''))).toBe('busy → waiting (claude)');
    expect(oneLine('a\nb\u001b[31m', 10)).toBe('a ⏎ b[31m');
    expect(oneLine('x'.repeat(20), 10)).toBe('xxxxxxxxx…');
  });
});

describe('page', () => {
  it('points <base> at the monitor root wherever the page is served', () => {
    expect(baseHref('/')).toBe('./');
    expect(baseHref('/tmux/')).toBe('./');
    expect(baseHref('/tmux')).toBe('./tmux/');
    expect(baseHref('/apps/tmux')).toBe('./tmux/');
    expect(pageHtml({ path: '/a"b', jsVersion: 'j', cssVersion: 'c' })).toContain('<base href="./a&quot;b/">');
  });

  it('allows nothing from other origins, and names the host for the WebSocket', () => {
    const csp = contentSecurityPolicy('127.0.0.1:8765');
    expect(csp).toContain("default-src 'none'");
    expect(csp).toContain("connect-src 'self' ws://127.0.0.1:8765 wss://127.0.0.1:8765");
    expect(contentSecurityPolicy('evil.com; script-src *')).toContain("connect-src 'self';");
    expect(contentSecurityPolicy(undefined)).not.toMatch(/ws:/);
  });
});
