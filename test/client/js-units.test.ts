/** The client's small pure parts: backoff, JWT expiry, URLs, targets, the event stream. */
import { describe, expect, expectTypeOf, it } from 'vitest';
import {
  backoffDelay,
  jwtExpiry,
  monitorUrl,
  parseTarget,
  formatTarget,
  type AgentStatus,
  type EventsMatching,
  type LifecycleEventMap,
  type MonitorEvent,
  type SubscribeFilters,
  type TmuxMonitor,
} from '../../src/client/index.ts';
import { refreshDelay } from '../../src/client/jwt.ts';
import { EventStream } from '../../src/client/event-stream.ts';
import { signToken } from '../../src/auth/signer.ts';

describe('backoffDelay (full jitter)', () => {
  it('picks uniformly in [0, cap], the cap doubling from 500 ms up to 20 s', () => {
    const caps = [0, 1, 2, 3, 5, 6, 10, 30].map((attempt) => backoffDelay(attempt, {}, () => 1));
    expect(caps).toEqual([500, 1000, 2000, 4000, 16_000, 20_000, 20_000, 20_000]);
    expect(backoffDelay(4, {}, () => 0)).toBe(0);
    expect(backoffDelay(1, {}, () => 0.5)).toBe(500);
    expect(backoffDelay(3, { initialDelayMs: 10, maxDelayMs: 50, factor: 3 }, () => 1)).toBe(50);
    for (let i = 0; i < 100; i++) {
      const delay = backoffDelay(2);
      expect(delay).toBeGreaterThanOrEqual(0);
      expect(delay).toBeLessThanOrEqual(2000);
    }
  });
});

describe('jwtExpiry', () => {
  it("reads a real token's exp without verifying it", async () => {
    const token = await signToken('any-secret', { sub: 'ünïcode', role: 'viewer', ttlSec: 60 });
    const exp = jwtExpiry(token)!;
    expect(Math.abs(exp - (Date.now() + 60_000))).toBeLessThan(2000);
    expect(jwtExpiry(await signToken('s', { sub: 'x', role: 'viewer', ttlSec: null }))).toBeNull();
    expect(jwtExpiry('not-a-jwt')).toBeNull();
    expect(jwtExpiry('a.%%%.c')).toBeNull();
  });

  it('refreshes 30 s early, or a quarter of the remaining life for short tokens', () => {
    expect(refreshDelay(3_600_000, 0, 30_000)).toBe(3_570_000);
    expect(refreshDelay(2000, 0, 30_000)).toBe(1500);
    expect(refreshDelay(1000, 5000, 30_000)).toBe(0);
  });
});

describe('monitorUrl', () => {
  it('adds /monitor to an empty path, keeps other paths, maps http to ws', () => {
    expect(monitorUrl('ws://localhost:8765')).toBe('ws://localhost:8765/monitor');
    expect(monitorUrl('ws://localhost:8765/')).toBe('ws://localhost:8765/monitor');
    expect(monitorUrl('wss://example.com/tmux/monitor')).toBe('wss://example.com/tmux/monitor');
    expect(monitorUrl('https://example.com')).toBe('wss://example.com/monitor');
    expect(monitorUrl('http://127.0.0.1:8765/?x=1')).toBe('ws://127.0.0.1:8765/monitor?x=1');
    expect(() => monitorUrl('ftp://example.com')).toThrow(TypeError);
    expect(() => monitorUrl('nonsense')).toThrow(TypeError);
  });
});

describe('targets', () => {
  it('parses session[:window[.pane]] and formats event locations', () => {
    expect(parseTarget('ai-chat')).toEqual({ session: 'ai-chat' });
    expect(parseTarget('ai-chat:0')).toEqual({ session: 'ai-chat', window: 0 });
    expect(parseTarget('ai-chat:1.2')).toEqual({ session: 'ai-chat', window: 1, pane: 2 });
    expect(parseTarget('ai-chat:v1.2.%3')).toEqual({ session: 'ai-chat', window: 'v1.2', pane: '%3' });
    expect(() => parseTarget(':0')).toThrow(TypeError);
    expect(formatTarget({ session: 's', window: 1, pane: 2 })).toBe('s:1.2');
    expect(formatTarget({ session: 's', window: 1 })).toBe('s:1');
    expect(formatTarget({ session: 's' })).toBe('s');
    expect(formatTarget({})).toBe('');
  });
});

describe('EventStream', () => {
  it('buffers, waits, ends, and throws an error once', async () => {
    const stream = new EventStream<number>(() => {});
    stream.push(1);
    expect(await stream.next()).toEqual({ value: 1, done: false });
    const waiting = stream.next();
    stream.push(2);
    expect(await waiting).toEqual({ value: 2, done: false });
    stream.push(3);
    stream.finish(new Error('gone'));
    expect(await stream.next()).toEqual({ value: 3, done: false });
    await expect(stream.next()).rejects.toThrow('gone');
    expect(await stream.next()).toEqual({ value: undefined, done: true });
  });

  it('return() (a for-await break) detaches it', async () => {
    let detached = false;
    const stream = new EventStream<number>(() => (detached = true));
    stream.push(1);
    for await (const value of stream) {
      expect(value).toBe(1);
      break;
    }
    expect(detached).toBe(true);
    stream.push(2);
    expect(await stream.next()).toEqual({ value: undefined, done: true });
  });
});

describe('types (checked by tsc)', () => {
  it('come from the protocol definitions: a discriminated union per event type', () => {
    expectTypeOf<EventsMatching<'agent.status'>['data']['status']>().toEqualTypeOf<AgentStatus>();
    expectTypeOf<EventsMatching<'pane.*'>['type']>().toEqualTypeOf<
      'pane.created' | 'pane.removed' | 'pane.output' | 'pane.error' | 'pane.warning'
    >();
    expectTypeOf<EventsMatching<'*'>>().toEqualTypeOf<MonitorEvent>();
    expectTypeOf<Parameters<TmuxMonitor['snapshot']>[1]>().toEqualTypeOf<{ lines?: number; escapes?: boolean } | undefined>();
    expectTypeOf<EventsMatching<'agent.attention'>['data']['attention']>().toEqualTypeOf<'waiting' | 'error' | 'done' | null>();
    expectTypeOf<LifecycleEventMap['close']['terminal']>().toEqualTypeOf<boolean>();
    const narrow = (event: MonitorEvent): string => (event.type === 'session.renamed' ? event.data.new_name : event.type);
    expect(narrow({ type: 'session.renamed', seq: 1, timestamp: '', data: { old_name: 'a', new_name: 'b' } })).toBe('b');
    // @ts-expect-error: not an event type
    const filters: SubscribeFilters = { types: ['agent.stat'] };
    expect(filters.types).toHaveLength(1);
  });
});
