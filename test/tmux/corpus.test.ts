/**
 * The corpus of real agent screens (test/fixtures/screens/<agent>/*.json, recorded from the
 * real CLIs by eval/agents/record.mjs): every screen is replayed in a real tmux pane (its
 * process name, children, title, screen mode, screen and cursor as the CLI had them) and
 * the control-mode source must report the status and agent type a person would. The same
 * facts are also checked against the detector alone.
 */
import { fileURLToPath } from 'node:url';
import { beforeAll, describe, expect, it } from 'vitest';
import { detect } from '../../src/tmux/agents/detect.ts';
import { factsOf, loadFixtures, replayAll, type Reported } from '../helpers/replay.ts';

const CORPUS = fileURLToPath(new URL('../fixtures/screens/', import.meta.url));
const fixtures = loadFixtures(CORPUS);
const PARALLEL = 24;

/**
 * Screens whose label the screen itself contradicts: captured a moment before the state the
 * label names (the turn's spinner row, `↓ 2 tokens · esc to cancel`, is still on screen).
 * They are checked against what the screen shows, and `npm run eval:agents` counts them as
 * misses against their labels.
 */
const CAPTURED_EARLY: Record<string, { status: string }> = {
  'qwen/ready-after-recovery.80x24.json': { status: 'busy' },
};

const want = (f: (typeof fixtures)[number]) => ({
  status: CAPTURED_EARLY[f.file]?.status ?? f.expected.status,
  agent_type: f.expected.agent_type,
});

describe('corpus of real agent screens', () => {
  it('has screens of every agent the lab drives', () => {
    const agents = new Set(fixtures.map((f) => f.agent));
    expect(fixtures.length).toBeGreaterThan(0);
    for (const f of fixtures) {
      expect(f.screen_ansi.split('\n').length, f.file).toBeGreaterThanOrEqual(f.rows);
      expect(['ready', 'busy', 'waiting', 'error', 'exited'], f.file).toContain(f.expected.status);
    }
    expect(agents.size).toBeGreaterThan(0);
  });

  describe("the detector on each screen's facts", () => {
    it.each(fixtures.map((f) => [f.file, f] as const))('%s', (_file, f) => {
      const d = detect(factsOf(f));
      expect({ status: d.status, agent_type: d.agent_type }, `${f.note ?? ''} (${d.reason})`).toEqual(want(f));
    });
  });

  describe('replayed in tmux, through the control-mode source', () => {
    let results = new Map<string, Reported>();
    beforeAll(
      async () => {
        results = await replayAll(fixtures, { parallel: PARALLEL, timeoutMs: 10_000 });
      },
      60_000 + Math.ceil(fixtures.length / PARALLEL) * 12_000,
    );

    it.each(fixtures.map((f) => [f.file, f] as const))('%s', (_file, f) => {
      const got = results.get(f.file);
      expect(got, 'replayed').toBeDefined();
      expect({ status: got!.status, agent_type: got!.agent_type }, got!.reason).toEqual(want(f));
    });
  });
});
