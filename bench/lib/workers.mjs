/**
 * ClientPool: a few client processes (client-worker.mjs) that together hold the
 * connections of a fan-out or connection benchmark, and the merged view of what they
 * received.
 */
import { fork } from 'node:child_process';
import { join } from 'node:path';
import { Histogram } from './stats.mjs';
import { ROOT, track, stopProcess } from './proc.mjs';

export class ClientPool {
  constructor(size) {
    this.workers = Array.from({ length: size }, () => {
      const child = track(fork(join(ROOT, 'bench', 'lib', 'client-worker.mjs'), [], { stdio: ['ignore', 'inherit', 'inherit', 'ipc'] }));
      const pending = new Map();
      child.on('message', ({ id, result, error }) => {
        const p = pending.get(id);
        if (!p) return;
        pending.delete(id);
        if (error) p.reject(new Error(error));
        else p.resolve(result);
      });
      child.on('exit', () => {
        for (const p of pending.values()) p.reject(new Error('client worker exited'));
        pending.clear();
      });
      return { child, pending, next: 0 };
    });
  }

  call(worker, cmd, args, timeoutMs = 120_000) {
    const id = ++worker.next;
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        worker.pending.delete(id);
        reject(new Error(`client worker: ${cmd} timed out`));
      }, timeoutMs);
      worker.pending.set(id, {
        resolve: (r) => (clearTimeout(timer), resolve(r)),
        reject: (e) => (clearTimeout(timer), reject(e)),
      });
      worker.child.send({ id, cmd, args });
    });
  }

  all(cmd, args) {
    return Promise.all(this.workers.map((w) => this.call(w, cmd, args)));
  }

  /** Brings the pool to `total` open, authenticated, subscribed connections. */
  async ensure({ url, token, total, filters, concurrency = 50 }) {
    const n = this.workers.length;
    const results = await Promise.all(
      this.workers.map((w, i) =>
        this.call(w, 'ensure', { url, token, filters, concurrency, target: Math.floor(total / n) + (i < total % n ? 1 : 0) }),
      ),
    );
    const errors = {};
    for (const r of results) for (const [k, v] of Object.entries(r.errors)) errors[k] = (errors[k] ?? 0) + v;
    return { open: results.reduce((s, r) => s + r.open, 0), failed: results.reduce((s, r) => s + r.failed, 0), errors };
  }

  /** Zeroes the counters; `clockOffsetMs` (the server's clock ahead of ours) is added to each latency from now on. */
  reset(clockOffsetMs = 0) {
    return this.all('reset', { clockOffsetMs });
  }

  async stats() {
    const parts = await this.all('stats');
    const histogram = new Histogram();
    const merged = {
      connections: 0,
      received: 0,
      perConnectionMin: Infinity,
      perConnectionMax: 0,
      laggedConnections: 0,
      droppedReported: 0,
      closedConnections: 0,
      closeCodes: {},
      firstAt: null,
      lastAt: null,
      other: {},
    };
    for (const p of parts) {
      histogram.merge(p.histogram);
      merged.connections += p.connections;
      merged.received += p.received;
      if (p.connections > 0) merged.perConnectionMin = Math.min(merged.perConnectionMin, p.perConnectionMin);
      merged.perConnectionMax = Math.max(merged.perConnectionMax, p.perConnectionMax);
      merged.laggedConnections += p.laggedConnections;
      merged.droppedReported += p.droppedReported;
      merged.closedConnections += p.closedConnections;
      for (const [k, v] of Object.entries(p.closeCodes)) merged.closeCodes[k] = (merged.closeCodes[k] ?? 0) + v;
      for (const [k, v] of Object.entries(p.other)) merged.other[k] = (merged.other[k] ?? 0) + v;
      if (p.firstAt !== null) merged.firstAt = merged.firstAt === null ? p.firstAt : Math.min(merged.firstAt, p.firstAt);
      if (p.lastAt !== null) merged.lastAt = merged.lastAt === null ? p.lastAt : Math.max(merged.lastAt, p.lastAt);
    }
    if (merged.perConnectionMin === Infinity) merged.perConnectionMin = 0;
    return { ...merged, latency: histogram.summary(), histogram: histogram.toJSON() };
  }

  closeAll() {
    return this.all('close');
  }

  async stop() {
    await Promise.all(
      this.workers.map(async (w) => {
        await this.call(w, 'exit', undefined, 5000).catch(() => {});
        await stopProcess(w.child, 2000);
      }),
    );
  }
}
