/**
 * A 10 MB flood through a pane: the source keeps draining tmux (the pane is never
 * stalled), events stay bounded in size, and memory stays bounded, with a fast consumer
 * and with one that does not read at all.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { createTmuxSource, type TmuxSource } from '../../src/tmux/index.ts';
import { startTmux, type TestTmux } from '../helpers/tmux.ts';
import { Collected } from './collect.ts';

const FLOOD = "yes 'flood 0123456789 abcdefghijklmnopqrstuvwxyz ABCDEFGHIJKLMNOPQRSTUVWXYZ' | head -c 10000000; echo flood-$((40+2))-done";

let t: TestTmux | undefined;
let source: TmuxSource | undefined;

afterEach(async () => {
  await source?.close();
  await t?.kill();
  source = undefined;
  t = undefined;
});

async function waitForScreen(tmux: TestTmux, text: string, timeoutMs: number): Promise<number> {
  const started = Date.now();
  for (;;) {
    const screen = await tmux.tmux('capture-pane', '-p', '-t', 'main');
    if (screen.includes(text)) return Date.now() - started;
    if (Date.now() - started > timeoutMs) throw new Error(`"${text}" not on screen after ${timeoutMs} ms`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

describe('output flood', () => {
  it('10 MB: bounded events, all bytes accounted for, bounded memory', async () => {
    t = await startTmux({ width: 120, height: 40 });
    source = createTmuxSource({ socketName: t.socketName });
    const events = new Collected(source);
    await source.ready();
    const pane = (await t.tmux('display', '-p', '-t', 'main', '#{pane_id}')).trim();
    const heapBefore = process.memoryUsage().heapUsed;
    let heapPeak = heapBefore;
    const sampler = setInterval(() => (heapPeak = Math.max(heapPeak, process.memoryUsage().heapUsed)), 50);
    const from = events.mark();
    await t.tmux('send-keys', '-t', pane, FLOOD, 'Enter');
    await waitForScreen(t, 'flood-42-done', 60_000);
    await events.waitFor('pane.output', (e) => e.pane_id === pane && e.data.content.includes('flood-42-done'), { from, timeoutMs: 20_000 });
    clearInterval(sampler);

    const outputs = events.of('pane.output', from).filter((e) => e.pane_id === pane);
    const bytes = outputs.reduce((n, e) => n + e.data.bytes, 0);
    const chars = outputs.reduce((n, e) => n + e.data.content.length, 0);
    expect(Math.max(...outputs.map((e) => e.data.content.length))).toBeLessThanOrEqual(16 * 1024);
    expect(chars).toBeGreaterThanOrEqual(10_000_000);
    expect(bytes).toBeGreaterThanOrEqual(10_000_000); // raw bytes include the terminal's \r
    // A flood becomes a steady series of full events, not one event per tmux line.
    expect(outputs.length).toBeLessThan(2000);
    expect(source.droppedOutput).toBe(0);
    // The collector keeps all 10 MB of text; the source itself must not hold much more.
    expect(heapPeak - heapBefore).toBeLessThan(300 * 1024 * 1024);
  }, 90_000);

  it('a consumer that does not read never stalls the pane; queued output is bounded', async () => {
    t = await startTmux({ width: 120, height: 40 });
    source = createTmuxSource({ socketName: t.socketName, maxQueuedOutputBytes: 1024 * 1024 });
    // Nobody reads events() during the flood.
    await source.ready();
    const started = Date.now();
    await t.tmux('send-keys', '-t', 'main', FLOOD, 'Enter');
    const ms = await waitForScreen(t, 'flood-42-done', 60_000);
    expect(Date.now() - started).toBeLessThan(60_000);
    expect(ms).toBeGreaterThan(0);
    // Output past the bound was dropped (oldest first) rather than kept. tmux may still be
    // delivering the tail of the flood to us, so wait for the drop rather than assume it.
    for (const deadline = Date.now() + 20_000; source.droppedOutput === 0 && Date.now() < deadline; ) {
      await new Promise((r) => setTimeout(r, 20));
    }
    expect(source.droppedOutput).toBeGreaterThan(0);
    expect(source.queuedOutputBytes).toBeLessThanOrEqual(1024 * 1024);
    // Reading now gets what was kept, then the rest as tmux delivers it, newest included.
    const events = new Collected(source);
    const e = await events.waitFor('pane.output', (o) => o.data.content.includes('flood-42-done'), { timeoutMs: 30_000 });
    expect(e.session).toBe('main');
  }, 90_000);
});
