/**
 * `serve` prints its listening line once it is ready: attached to tmux, or having found no
 * tmux server. Scripts (and tests) wait for that line and then change tmux at once; done
 * while the monitor's control clients identify themselves, that crashes tmux 3.3a.
 */
import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TARGETS } from '../helpers/runtimes.ts';
import { startServeProcess } from '../helpers/subprocess-server.ts';
import { startTmux, type TestTmux } from '../helpers/tmux.ts';

async function health(port: number): Promise<{ source: string }> {
  const response = await fetch(`http://127.0.0.1:${port}/health`);
  return (await response.json()) as { source: string };
}

describe('serve: the listening line', () => {
  let t: TestTmux;
  beforeAll(async () => {
    t = await startTmux({ session: 'ready' });
  });
  afterAll(async () => {
    await t?.kill();
  });

  it('comes once the source is attached to tmux', async () => {
    const server = await startServeProcess(TARGETS.nodeBundle, {
      env: { TMUX_MONITOR_SECRET: `ready-${randomBytes(8).toString('hex')}` },
      flags: ['--source', 'tmux', '-L', t.socketName],
    });
    try {
      expect((await health(server.port)).source).toBe('connected');
    } finally {
      await server.stop('SIGTERM');
    }
  });

  it('still comes when no tmux server is running', async () => {
    const server = await startServeProcess(TARGETS.nodeBundle, {
      env: { TMUX_MONITOR_SECRET: `ready-${randomBytes(8).toString('hex')}` },
      flags: ['--source', 'tmux', '-L', `test-absent-${randomBytes(6).toString('hex')}`],
    });
    try {
      expect((await health(server.port)).source).not.toBe('connected');
    } finally {
      await server.stop('SIGTERM');
    }
  });
});
