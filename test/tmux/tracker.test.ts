import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { PaneFacts } from '../../src/tmux/agents/detect.ts';
import { AgentTracker } from '../../src/tmux/agents/tracker.ts';

const base: PaneFacts = {
  command: 'bash',
  dead: false,
  deadStatus: null,
  agentState: '',
  screen: '$ ',
  title: '',
  alternate: false,
  cursor: [2, 0],
  children: [],
};

describe('AgentTracker', () => {
  let facts: PaneFacts;
  let reports: { status: string; previous: string; agentType: string; reason: string }[];
  let tracker: AgentTracker;

  beforeEach(() => {
    vi.useFakeTimers();
    facts = { ...base };
    reports = [];
    tracker = new AgentTracker(
      {
        read: async () => ({ ...facts }),
        report: (_id, status, previous, agentType, reason) => reports.push({ status, previous, agentType, reason }),
      },
      { settleMs: 100, maxWaitMs: 400, holdMs: 10_000, exitChecksMs: [1000, 4000] },
    );
  });

  afterEach(() => {
    tracker.close();
    vi.useRealTimers();
  });

  it('holds a screen guess, but sends a status from @agent_state at once', async () => {
    await tracker.baseline('%1');
    expect(tracker.get('%1')).toEqual({ status: 'ready', agent_type: 'shell' });
    facts = { ...base, command: 'make', screen: 'cc -c x.c' };
    tracker.changed('%1');
    await vi.advanceTimersByTimeAsync(1000);
    expect(reports).toEqual([]); // a guess: held (10 s here)
    facts = { ...base, command: 'claude', agentState: 'waiting', screen: 'anything' };
    tracker.changed('%1');
    await vi.advanceTimersByTimeAsync(0);
    expect(reports).toEqual([{ status: 'waiting', previous: 'ready', agentType: 'claude', reason: '@agent_state' }]);
  });

  it('an agent that quits back to the shell is exited with its type until another program runs', async () => {
    facts = { ...base, command: 'claude', screen: '❯ \n  ? for shortcuts', title: '✳ Claude Code', cursor: [2, 0] };
    await tracker.baseline('%1');
    expect(tracker.get('%1')).toEqual({ status: 'ready', agent_type: 'claude' });
    facts = { ...base, screen: 'Bye!\n$ ', cursor: [2, 1] };
    tracker.changed('%1');
    await vi.advanceTimersByTimeAsync(10_001);
    expect(reports.at(-1)).toMatchObject({ status: 'exited', agentType: 'claude', previous: 'ready' });
    // Typing at the prompt changes nothing; a command that runs ends it.
    facts = { ...base, screen: 'Bye!\n$ ls', cursor: [4, 1] };
    tracker.output('%1');
    await vi.advanceTimersByTimeAsync(10_500);
    expect(tracker.get('%1')).toEqual({ status: 'exited', agent_type: 'claude' });
    facts = { ...base, command: 'make', screen: 'Bye!\n$ make\ncc -c x.c', cursor: [0, 3] };
    tracker.changed('%1');
    await vi.advanceTimersByTimeAsync(10_001);
    expect(tracker.get('%1')).toEqual({ status: 'busy', agent_type: 'shell' });
    facts = { ...base, screen: 'Bye!\n$ make\ncc -c x.c\n$ ', cursor: [2, 3] };
    tracker.changed('%1');
    await vi.advanceTimersByTimeAsync(10_001);
    expect(tracker.get('%1')).toEqual({ status: 'ready', agent_type: 'shell' });
  });

  it('an @agent_state left set by an agent that quit is ignored until it changes', async () => {
    facts = { ...base, command: 'claude', agentState: 'ready', screen: '❯ \n  ? for shortcuts', title: '✳ Claude Code' };
    await tracker.baseline('%1');
    expect(tracker.get('%1')).toEqual({ status: 'ready', agent_type: 'claude' });
    // Quits without its exit hook: the shell is back, `ready` is still set.
    facts = { ...base, agentState: 'ready', screen: 'Bye!\n$ ', cursor: [2, 1] };
    tracker.changed('%1');
    await vi.advanceTimersByTimeAsync(10_001);
    expect(reports.at(-1)).toEqual({ status: 'exited', previous: 'ready', agentType: 'claude', reason: 'back at the shell' });
    // Output at the prompt, the same value: still ignored.
    tracker.output('%1');
    await vi.advanceTimersByTimeAsync(10_001);
    expect(tracker.get('%1')).toEqual({ status: 'exited', agent_type: 'claude' });
    // A new value is trusted again, at once; so is the old value set after it.
    facts = { ...facts, agentState: 'busy' };
    tracker.changed('%1');
    await vi.advanceTimersByTimeAsync(0);
    expect(reports.at(-1)).toEqual({ status: 'busy', previous: 'exited', agentType: 'shell', reason: '@agent_state' });
    facts = { ...facts, agentState: 'ready' };
    tracker.changed('%1');
    await vi.advanceTimersByTimeAsync(0);
    expect(reports.at(-1)).toMatchObject({ status: 'ready', previous: 'busy', reason: '@agent_state' });
  });

  it('unset and set again with the same value after the agent quit: trusted again', async () => {
    facts = { ...base, command: 'node', agentState: 'ready', screen: '› Ask Codex to do anything', children: ['codex'] };
    await tracker.baseline('%1');
    facts = { ...base, agentState: 'ready', screen: '$ ', cursor: [2, 0] };
    tracker.changed('%1');
    await vi.advanceTimersByTimeAsync(10_001);
    expect(tracker.get('%1')).toEqual({ status: 'exited', agent_type: 'codex' });
    facts = { ...facts, agentState: '' };
    tracker.changed('%1');
    await vi.advanceTimersByTimeAsync(0);
    facts = { ...facts, agentState: 'ready' };
    tracker.changed('%1');
    await vi.advanceTimersByTimeAsync(0);
    expect(reports.at(-1)).toEqual({ status: 'ready', previous: 'exited', agentType: 'shell', reason: '@agent_state' });
  });

  it('an agent whose exit hook set `exited` stays exited from @agent_state', async () => {
    facts = { ...base, command: 'claude', agentState: 'ready', screen: '❯ \n  ? for shortcuts' };
    await tracker.baseline('%1');
    facts = { ...base, agentState: 'exited', screen: '$ ', cursor: [2, 0] };
    tracker.changed('%1');
    await vi.advanceTimersByTimeAsync(0);
    expect(reports).toEqual([{ status: 'exited', previous: 'ready', agentType: 'shell', reason: '@agent_state' }]);
  });

  it('a hand-set @agent_state on a shell stays trusted, also when typed as a tmux command at the prompt', async () => {
    await tracker.baseline('%1');
    // `tmux set -p @agent_state busy` typed at the prompt: the tmux client is in front while it sets it.
    facts = { ...base, command: 'tmux', agentState: 'busy', screen: '$ tmux set -p @agent_state busy', cursor: [0, 1] };
    tracker.changed('%1');
    await vi.advanceTimersByTimeAsync(0);
    facts = { ...base, agentState: 'busy', screen: '$ tmux set -p @agent_state busy\n$ ', cursor: [2, 1] };
    tracker.changed('%1');
    await vi.advanceTimersByTimeAsync(10_001);
    expect(tracker.get('%1')).toEqual({ status: 'busy', agent_type: 'shell' });
    expect(reports).toEqual([{ status: 'busy', previous: 'ready', agentType: 'shell', reason: '@agent_state' }]);
  });

  it('a dead pane is exited at once', async () => {
    facts = { ...base, command: 'codex', screen: '› Ask Codex to do anything' };
    await tracker.baseline('%1');
    facts = { ...base, command: 'codex', dead: true, deadStatus: 0 };
    tracker.changed('%1');
    await vi.advanceTimersByTimeAsync(0);
    expect(reports).toEqual([{ status: 'exited', previous: 'ready', agentType: 'codex', reason: 'process exited (status 0)' }]);
  });

  it('reads a remain-on-exit pane again after it goes quiet, so an end tmux never announced is seen', async () => {
    let reads = 0;
    const watched = new AgentTracker(
      {
        read: async () => {
          reads++;
          return { ...facts };
        },
        report: (_id, status, previous, agentType, reason) => reports.push({ status, previous, agentType, reason }),
      },
      { settleMs: 100, maxWaitMs: 400, holdMs: 0, exitChecksMs: [1000, 4000] },
    );
    try {
      facts = { ...base, command: 'bash', children: ['sleep'], screen: '', cursor: [0, 0], remainOnExit: true };
      watched.added('%3');
      await vi.advanceTimersByTimeAsync(10);
      expect(reports.at(-1)).toMatchObject({ status: 'busy' });
      // The program ends; tmux says nothing (no output, no hook): only the later reads see it.
      facts = { ...base, command: 'bash', dead: true, deadStatus: 3, screen: 'goodbye', remainOnExit: true };
      await vi.advanceTimersByTimeAsync(989);
      expect(reports).toHaveLength(1);
      await vi.advanceTimersByTimeAsync(5);
      expect(reports.at(-1)).toMatchObject({ status: 'exited', reason: 'process exited (status 3)' });

      // Alive and quiet: two more reads (1 s, then 4 s later), and nothing after them.
      facts = { ...base, remainOnExit: true };
      reads = 0;
      watched.added('%4');
      await vi.advanceTimersByTimeAsync(60_000);
      expect(reads).toBe(3);
      // New output starts the checks over.
      watched.output('%4');
      await vi.advanceTimersByTimeAsync(60_000);
      expect(reads).toBe(6);

      // Without remain-on-exit the pane goes away with its program (tmux tells that): no extra reads.
      facts = { ...base };
      reads = 0;
      watched.added('%5');
      await vi.advanceTimersByTimeAsync(60_000);
      expect(reads).toBe(1);
    } finally {
      watched.close();
    }
  });

  it("counts the hold from the pane's last output, not from the read after it settled", async () => {
    const held = new AgentTracker(
      {
        read: async () => ({ ...facts }),
        report: (_id, status, previous, agentType, reason) => reports.push({ status, previous, agentType, reason }),
      },
      { settleMs: 100, maxWaitMs: 400, holdMs: 300, exitChecksMs: [] },
    );
    try {
      await held.baseline('%2');
      facts = { ...base, screen: '$ make\ncc -c x.c', cursor: [9, 1], command: 'make' };
      held.output('%2');
      // Read at 100 ms (output settled); the screen has shown `busy` since 0 ms.
      await vi.advanceTimersByTimeAsync(299);
      expect(reports).toEqual([]);
      await vi.advanceTimersByTimeAsync(2);
      expect(reports).toEqual([{ status: 'busy', previous: 'ready', agentType: 'shell', reason: expect.any(String) }]);
      // Output again at 301 ms and a different guess: held 300 ms from that output.
      facts = { ...base, screen: '$ make\ncc -c x.c\n$ ', cursor: [2, 2] };
      held.output('%2');
      await vi.advanceTimersByTimeAsync(299);
      expect(reports).toHaveLength(1);
      await vi.advanceTimersByTimeAsync(2);
      expect(reports.at(-1)).toMatchObject({ status: 'ready', previous: 'busy' });
    } finally {
      held.close();
    }
  });
});
