import type { MonitorEvent } from '../protocol/events.ts';

type Listener = (payload: never) => void;

/**
 * Listeners by name: event types (`agent.status`), families (`pane.*`), `*`, and the
 * lifecycle names. Typing lives in TmuxMonitor.on(); this only stores and calls.
 */
export class Listeners {
  readonly #byName = new Map<string, Set<Listener>>();

  add(name: string, listener: Listener): () => void {
    let set = this.#byName.get(name);
    if (!set) this.#byName.set(name, (set = new Set()));
    set.add(listener);
    return () => this.remove(name, listener);
  }

  remove(name: string, listener: Listener): void {
    const set = this.#byName.get(name);
    if (set?.delete(listener) && set.size === 0) this.#byName.delete(name);
  }

  has(name: string): boolean {
    return this.#byName.has(name);
  }

  /** Calls each listener for `name`; returns the errors they threw. */
  emit(name: string, payload: unknown): unknown[] {
    const set = this.#byName.get(name);
    if (!set) return [];
    const errors: unknown[] = [];
    // Copy: a listener may remove itself (once-style) while we iterate.
    for (const listener of [...set]) {
      try {
        (listener as (p: unknown) => void)(payload);
      } catch (error) {
        errors.push(error);
      }
    }
    return errors;
  }

  /** Calls the listeners of the event's type, of its family and of `*`. */
  emitEvent(event: MonitorEvent): unknown[] {
    const family = `${event.type.slice(0, event.type.indexOf('.'))}.*`;
    return [...this.emit(event.type, event), ...this.emit(family, event), ...this.emit('*', event)];
  }
}
