/** `tail` shows the host level once events of more than one host have been seen. */
import { describe, expect, it } from 'vitest';
import { formatEventLine } from '../../src/cli/tail.ts';
import type { MonitorEvent } from '../../src/protocol/events.ts';

const event: MonitorEvent<'system.host'> = {
  type: 'system.host',
  seq: 1,
  timestamp: '2026-12-01T00:00:00.000Z',
  host: 'vm-1',
  data: { host: 'vm-1', state: 'lost' },
};
const status: MonitorEvent<'agent.status'> = {
  type: 'agent.status',
  seq: 2,
  timestamp: '2026-12-01T00:00:00.000Z',
  host: 'devbox',
  session: 'ai',
  window: 0,
  pane: 1,
  pane_id: '%1',
  data: { status: 'busy', previous: 'ready', agent_type: 'claude', reason: 'screen' },
};

describe('tail with hosts', () => {
  it('prefixes the target with the host only when asked', () => {
    expect(formatEventLine(status)).toContain(' ai:0.1 ');
    expect(formatEventLine(status)).not.toContain('devbox');
    expect(formatEventLine(status, false, true)).toContain(' devbox/ai:0.1 ');
    expect(formatEventLine(event, false, true)).toMatch(/system\.host .* host "vm-1" lost$/);
  });
});
