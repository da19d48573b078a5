/** Snapshot replies cut to fit one NATS message (src/bus/fit-reply.ts). */
import { describe, expect, it } from 'vitest';
import { fitSnapshotReply, overBytes } from '../../src/bus/fit-reply.ts';
import type { SessionSnapshot } from '../../src/protocol/snapshot.ts';

function tree(contents: string[]): SessionSnapshot[] {
  return [
    {
      host: 'h',
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
          panes: contents.map((content, index) => ({
            index,
            id: `%${index}`,
            pid: 1,
            command: 'bash',
            title: '',
            path: '/',
            dead: false,
            agent: { status: 'ready', agent_type: 'shell' },
            content,
          })),
        },
      ],
    },
  ] as SessionSnapshot[];
}

const bytes = (value: unknown) => new TextEncoder().encode(JSON.stringify(value)).length;
/** The snapshot a reply carries. */
const carried = (text: string): SessionSnapshot[] => JSON.parse(text).result;

describe('fitSnapshotReply', () => {
  it('encodes a reply that fits as it is', () => {
    const sessions = tree(['small', 'also small']);
    expect(fitSnapshotReply(sessions, 10_000).text).toBe(JSON.stringify({ ok: true, result: sessions }));
  });

  it('cuts wide characters and escapes (several bytes each) until the encoded reply fits', () => {
    // Box drawing is 3 bytes in UTF-8, ESC is 6 once JSON-escaped.
    const line = `\u001b[31m${'\u2500'.repeat(60)}\u001b[0m\n`;
    const sessions = tree([line.repeat(2000), 'a small pane\n$ ']);
    const limit = 64 * 1024;
    expect(bytes({ ok: true, result: sessions })).toBeGreaterThan(limit);
    const { text } = fitSnapshotReply(sessions, limit);
    expect(new TextEncoder().encode(text).length).toBeLessThanOrEqual(limit);
    expect(JSON.parse(text).ok).toBe(true);
    const fitted = carried(text);
    const [big, small] = fitted[0]!.windows[0]!.panes;
    expect(big!.content_truncated).toBe(true);
    // The newest lines are kept, from a line's start; the small pane whole.
    expect(big!.content!.endsWith(line)).toBe(true);
    expect(big!.content!.startsWith('\u001b[31m')).toBe(true);
    expect(big!.content!.length).toBeGreaterThan(limit / 8);
    expect(small!.content).toBe('a small pane\n$ ');
    expect(small!.content_truncated).toBeUndefined();
  });

  it('overBytes counts UTF-8 bytes, not characters', () => {
    expect(overBytes('\u2500'.repeat(400), 1000)).toBe(true);
    expect(overBytes('x'.repeat(400), 1000)).toBe(false);
  });
});
