import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { PaneFacts } from '../../src/tmux/agents/detect.ts';
import { AgentTracker } from '../../src/tmux/agents/tracker.ts';

const base: PaneFacts = { command: 'bash', dead: false, deadStatus: null, agentState: '', screen: '$ ', title: '', alternate: false, cursor: [2, 0], children: [] };

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
      { settleMs: 100, maxWaitMs: 400, holdMs: 10_000 },
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

  it('a dead pane is exited at once', async () => {
    facts = { ...base, command: 'codex', screen: '› Ask Codex to do anything' };
    await tracker.baseline('%1');
    facts = { ...base, command: 'codex', dead: true, deadStatus: 0 };
    tracker.changed('%1');
    await vi.advanceTimersByTimeAsync(0);
    expect(reports).toEqual([{ status: 'exited', previous: 'ready', agentType: 'codex', reason: 'process exited (status 0)' }]);
  });
});
