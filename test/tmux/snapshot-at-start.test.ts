/**
 * A snapshot asked for while the source is still attaching (a server just started, or a
 * client reconnecting to a restarted one asks at once) waits for the tree: it never answers
 * with fewer sessions than tmux has.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { SessionSnapshot } from '../../src/protocol/snapshot.ts';
import { createTmuxSource } from '../../src/tmux/index.ts';
import { startTmux, type TestTmux } from '../helpers/tmux.ts';

let t: TestTmux;
const NAMES = ['main', 'second', 'third', 'fourth'];

beforeAll(async () => {
  t = await startTmux();
  for (const name of NAMES.slice(1)) await t.tmux('new-session', '-d', '-s', name, '-x', '80', '-y', '24');
});

afterAll(async () => {
  await t?.kill();
});

describe('tmux source: snapshot while attaching', () => {
  it('answers every snapshot asked before `connected` with every session', async () => {
    const source = createTmuxSource({ socketName: t.socketName });
    try {
      // Ask again and again from the first moment until the source is connected: some of
      // these land after the first session's client is up and before the tree is read.
      const asked: Promise<SessionSnapshot[] | Error>[] = [];
      let connected = false;
      const ready = source.ready(10_000).then(() => (connected = true));
      while (!connected) {
        asked.push(source.snapshot(undefined, 0).catch((error: Error) => error));
        await new Promise((resolve) => setTimeout(resolve, 2));
      }
      await ready;
      const answers = await Promise.all(asked);
      expect(answers.length).toBeGreaterThan(0);
      for (const answer of answers) {
        expect(answer).not.toBeInstanceOf(Error);
        expect((answer as SessionSnapshot[]).map((s) => s.name).sort()).toEqual([...NAMES].sort());
      }
    } finally {
      await source.close();
    }
  });
});
