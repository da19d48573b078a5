/**
 * One connection's outbox: every write to the client goes through it — live events, a
 * replay, replies, errors, pongs — and it applies the slow-reader policy to all of them,
 * so that a reader that stops reading costs at most the send-buffer limit:
 *
 * - `pane.output` (droppable) is dropped while more than half the limit is held, and
 *   the client is told how many with `system.lagged` once it has caught up;
 * - anything else that would take what is held past the limit closes with 4503 instead
 *   of being written (a message alone larger than the limit still goes to an empty
 *   buffer: a reader that keeps up can always receive it);
 * - held over half the limit for the grace period on end (dropping output, or a replay
 *   that cannot move): 4503;
 * - a replay is pulled from its source only while less than half the limit is held, at
 *   most half the limit per turn; what is sent meanwhile waits behind it, in order.
 *
 * "Held" is the peer's send buffer plus what waits here. The peer's buffer is read once
 * per batch and then estimated (adding what we send), and read again only when the
 * estimate crosses a threshold: fan-out to many connections stays cheap.
 */
import type { Peer, SharedMessage } from '../runtime/websocket.ts';

/** The hub's options of the same names fit as they are: one object serves every outbox. */
export interface OutboxOptions {
  /** The send-buffer limit in bytes. */
  sendBufferLimit: number;
  /** How long more than half the limit may be held before 4503. */
  slowReaderGraceMs: number;
}

/**
 * What an outbox reports, about its `owner` (the connection): one hooks object serves every
 * outbox, so that a connection holds no closures of its own for them.
 */
export interface OutboxHooks<O> {
  /** The reader is too slow: close the connection with 4503. */
  slow(owner: O, reason: string): void;
  /** A droppable event was dropped. */
  dropped(owner: O): void;
  /** The most held at a check, for the metrics. */
  held?(owner: O, bytes: number): void;
}

/** A replay in the queue: its events are pulled one by one, then `complete()` is sent. */
interface Replay {
  entries: Iterator<string>;
  complete: () => string;
}

type Item = string | Replay;

/** How often a backlog is looked at again while something waits or output was dropped. */
const PUMP_MS = 10;
const LAG_CHECK_MS = 200;

export class Outbox<O = unknown> {
  private readonly queue: Item[] = [];
  /** Characters of the strings in `queue` (a replay's events are not counted: history holds them). */
  private queuedBytes = 0;
  /** What is held, as last read plus what was sent since; exact after `measure()`. */
  private estimate = 0;
  private batching = false;
  private closed = false;
  private timer: ReturnType<typeof setTimeout> | undefined;
  /** Since when more than half the limit has been held with something waiting or dropped; 0: not behind. */
  private behindSince = 0;
  private droppedCount = 0;

  constructor(
    private readonly peer: Peer,
    private readonly options: OutboxOptions,
    private readonly hooks: OutboxHooks<O>,
    private readonly owner: O,
  ) {}

  /** Bytes held for this client: the peer's send buffer and what waits here. */
  get held(): number {
    return this.measure();
  }

  /** Output dropped since the client was last told (system.lagged). */
  get dropped(): number {
    return this.droppedCount;
  }

  /** Runs `fn` as one batch: the peer writes its sends together, the buffer is read once. */
  batch(fn: () => void): void {
    if (this.closed) return;
    if (this.batching) return fn();
    this.batching = true;
    this.measure();
    try {
      this.peer.batch(fn);
    } finally {
      this.batching = false;
    }
  }

  /** A message that must arrive, in order: a reply, an error, a pong, a live event other than output. */
  send(text: string): void {
    if (this.closed) return;
    if (!this.batching) this.measure();
    this.put(text);
  }

  /** A live event; a droppable one (`pane.output`) is dropped while the reader is behind. */
  event(message: SharedMessage, droppable: boolean): void {
    if (this.closed) return;
    // Alone (not in a batch), it is a batch of one: the buffer is read first, as a batch does.
    if (!this.batching) this.measure();
    if (droppable && this.estimate > this.options.sendBufferLimit / 2 && this.measure() > this.options.sendBufferLimit / 2) {
      this.drop();
      return;
    }
    this.put(message.json, message);
  }

  /**
   * Queues a replay: `entries` are pulled as the reader takes them, then `complete()` is
   * sent. Whatever is sent after this call waits until the replay is done.
   */
  replay(entries: Iterator<string>, complete: () => string): void {
    if (this.closed) return;
    this.queue.push({ entries, complete });
    this.pump();
  }

  /** Stops everything; nothing more is written. */
  close(): void {
    this.closed = true;
    this.queue.length = 0;
    this.queuedBytes = 0;
    clearTimeout(this.timer);
    this.timer = undefined;
  }

  private measure(): number {
    this.estimate = this.peer.bufferedAmount + this.queuedBytes;
    this.hooks.held?.(this.owner, this.estimate);
    return this.estimate;
  }

  /** `shared`: the same text as a message many peers get, which the peer may send from its own encoding. */
  private put(text: string, shared?: SharedMessage): void {
    const limit = this.options.sendBufferLimit;
    if (this.estimate + text.length > limit && this.measure() > 0 && this.estimate + text.length > limit) {
      this.slow(`send buffer over ${limit} bytes`);
      return;
    }
    if (this.queue.length > 0) {
      this.queue.push(text);
      this.queuedBytes += text.length;
    } else if (shared !== undefined && this.peer.sendShared !== undefined) {
      this.peer.sendShared(shared);
    } else {
      this.peer.send(text);
    }
    this.estimate += text.length;
  }

  private drop(): void {
    this.droppedCount++;
    this.hooks.dropped(this.owner);
    if (this.behindSince === 0) this.behindSince = Date.now();
    this.schedule(LAG_CHECK_MS);
  }

  /** Writes what waits while under half the limit (at most half the limit per turn). */
  private pump(): void {
    if (this.closed) return;
    const half = this.options.sendBufferLimit / 2;
    let budget = half;
    let moved = false;
    this.batching = true;
    try {
      this.peer.batch(() => {
        while (this.queue.length > 0 && budget > 0 && this.peer.bufferedAmount <= half) {
          const head = this.queue[0]!;
          let text: string;
          if (typeof head === 'string') {
            this.queue.shift();
            this.queuedBytes -= head.length;
            text = head;
          } else {
            const next = head.entries.next();
            if (next.done) {
              this.queue.shift();
              text = head.complete();
            } else {
              text = next.value;
            }
          }
          this.peer.send(text);
          budget -= text.length;
          moved = true;
        }
      });
    } finally {
      this.batching = false;
    }
    if (moved && this.queue.length === 0 && this.droppedCount === 0) this.behindSince = 0;
    this.check();
  }

  /** Runs while behind: catches up, tells a reader that caught up what it missed, or gives up. */
  private check(): void {
    this.timer = undefined;
    if (this.closed) return;
    const half = this.options.sendBufferLimit / 2;
    if (this.queue.length > 0 && this.peer.bufferedAmount <= half) {
      // Room again: go on with the queue (next turn, so one turn never writes more than half).
      this.schedule(0);
      return;
    }
    if (this.queue.length === 0 && this.droppedCount === 0) {
      // Nothing waits and nothing was dropped: a full buffer alone is the limit's business (put).
      this.behindSince = 0;
      return;
    }
    if (this.queue.length === 0 && this.measure() <= half) {
      this.behindSince = 0;
      const dropped = this.droppedCount;
      this.droppedCount = 0;
      this.put(JSON.stringify({ type: 'system.lagged', timestamp: new Date().toISOString(), data: { dropped } }));
      return;
    }
    // More than half the limit held, with something waiting or dropped.
    if (this.behindSince === 0) this.behindSince = Date.now();
    if (Date.now() - this.behindSince >= this.options.slowReaderGraceMs) {
      this.slow(`send buffer over half its limit for ${this.options.slowReaderGraceMs} ms`);
      return;
    }
    this.schedule(this.queue.length > 0 ? PUMP_MS : LAG_CHECK_MS);
  }

  private schedule(ms: number): void {
    if (this.timer !== undefined || this.closed) return;
    this.timer = setTimeout(() => {
      this.timer = undefined;
      if (this.queue.length > 0) this.pump();
      else this.check();
    }, ms);
  }

  private slow(reason: string): void {
    if (this.closed) return;
    this.close();
    this.hooks.slow(this.owner, reason);
  }
}
