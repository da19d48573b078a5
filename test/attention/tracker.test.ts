/** The attention rules, from agent.status events alone (no tmux needed). */
import { describe, expect, it } from 'vitest';
import { AttentionTracker, attentionEvent } from '../../src/attention/tracker.ts';
import type { AgentStatus, RawEvent } from '../../src/protocol/events.ts';

const where = { session: 'main', session_id: '$0', window: 1, window_id: '@1', window_name: 'w', pane: 0, pane_id: '%1' };

function status(status: AgentStatus, previous: AgentStatus, paneId = '%1'): RawEvent {
  return { type: 'agent.status', ...where, pane_id: paneId, data: { status, previous, agent_type: 'claude', reason: 'r' } };
}

function clock() {
  let now = 1_000_000;
  return { now: () => now, advance: (ms: number) => (now += ms) };
}

describe('attention tracker', () => {
  it('waiting and error need a person; moving on clears it', () => {
    const t = new AttentionTracker();
    const [w] = t.observe([status('waiting', 'busy')]);
    expect(w).toMatchObject({ attention: 'waiting', previous: null, cause: 'status' });
    expect(attentionEvent(w!)).toMatchObject({
      type: 'agent.attention',
      session: 'main',
      pane_id: '%1',
      data: { attention: 'waiting', previous: null },
    });
    const [e] = t.observe([status('error', 'waiting')]);
    expect(e).toMatchObject({ attention: 'error', previous: 'waiting' });
    const [cleared] = t.observe([status('busy', 'error')]);
    expect(cleared).toMatchObject({ attention: null, previous: 'error' });
    expect(t.pending()).toEqual([]);
  });

  it('done: busy for at least doneAfter, then ready; a short task is not done', () => {
    const c = clock();
    const t = new AttentionTracker({ doneAfterMs: 30_000, now: c.now });
    t.observe([status('busy', 'ready')]);
    c.advance(10_000);
    expect(t.observe([status('ready', 'busy')])).toEqual([]);
    t.observe([status('busy', 'ready')]);
    c.advance(20_000);
    t.observe([status('waiting', 'busy')]);
    t.observe([status('busy', 'waiting')]);
    c.advance(15_000);
    const [done] = t.observe([status('ready', 'busy')]);
    expect(done).toMatchObject({ attention: 'done', previous: null });
    expect(t.observe([status('busy', 'ready')])[0]).toMatchObject({ attention: null, previous: 'done' });
  });

  it('ack, a person looking, and the pane going away clear it; a looked-at pane gets none', () => {
    const t = new AttentionTracker();
    t.observe([status('waiting', 'busy', '%1'), status('waiting', 'busy', '%2'), status('error', 'busy', '%3')]);
    expect(t.pending().map((p) => p.location.pane_id)).toEqual(['%1', '%2', '%3']);
    expect(t.ack(t.match({ session: 'main', window: 'w', pane: '%1' }).map((r) => r.key))[0]).toMatchObject({
      cause: 'ack',
      attention: null,
    });
    expect(t.setViewed(new Set(['%2']))[0]).toMatchObject({ cause: 'viewed', attention: null });
    expect(t.observe([{ type: 'pane.removed', ...where, pane_id: '%3', data: { exit_status: 0 } }])[0]).toMatchObject({ cause: 'removed' });
    // %2 is looked at: going waiting again raises nothing.
    t.observe([status('busy', 'waiting', '%2')]);
    expect(t.observe([status('waiting', 'busy', '%2')])).toEqual([]);
    expect(t.pending()).toEqual([]);
  });

  it('targets: a window by index, name or id; no pane means the whole window', () => {
    const t = new AttentionTracker();
    t.observe([status('waiting', 'busy', '%1'), { ...status('waiting', 'busy', '%2'), pane: 1 } as RawEvent]);
    expect(t.match({ session: '$0', window: 1 })).toHaveLength(2);
    expect(t.match({ session: 'main', window: '@1', pane: 1 })).toHaveLength(1);
    expect(t.match({ session: 'main', window: 'other' })).toHaveLength(0);
  });

  it('seeds the panes found at start silently', () => {
    const t = new AttentionTracker();
    const changes = t.seed([
      {
        name: 'main',
        id: '$0',
        attached: 0,
        created: '',
        windows: [
          {
            index: 1,
            id: '@1',
            name: 'w',
            active: true,
            panes: [
              {
                index: 0,
                id: '%1',
                pid: 1,
                command: 'claude',
                title: '',
                path: '',
                dead: false,
                agent: { status: 'waiting', agent_type: 'claude' },
              },
              {
                index: 1,
                id: '%2',
                pid: 1,
                command: 'bash',
                title: '',
                path: '',
                dead: false,
                agent: { status: 'ready', agent_type: 'shell' },
              },
            ],
          },
        ],
      },
    ]);
    expect(changes).toHaveLength(1);
    expect(changes[0]).toMatchObject({ silent: true, attention: 'waiting', cause: 'seed' });
  });
});
