/**
 * When each connection's token expires: one timer per distinct expiry time, shared by every
 * connection whose token ends then. Connections made with the same token (a dashboard that
 * reconnects, a fleet of clients with one token) share one timer. A timer of their own each
 * would also cost a timer list each: Node groups timers by delay, and no two delays match.
 */
interface Due<T> {
  members: Set<T>;
  timer: ReturnType<typeof setTimeout>;
}

/** setTimeout holds at most ~24.8 days; a later expiry is waited for in steps. */
const MAX_DELAY_MS = 2 ** 31 - 1;

export class ExpirySchedule<T> {
  private readonly due = new Map<number, Due<T>>();

  /** `expire` is called once for each member whose time has come. */
  constructor(private readonly expire: (member: T) => void) {}

  /** `member` expires at `at` (ms since the epoch). */
  add(at: number, member: T): void {
    let due = this.due.get(at);
    if (!due) {
      due = { members: new Set(), timer: this.arm(at) };
      this.due.set(at, due);
    }
    due.members.add(member);
  }

  /** `member` no longer expires at `at` (it closed, or its token was replaced). */
  delete(at: number, member: T): void {
    const due = this.due.get(at);
    if (!due?.members.delete(member) || due.members.size > 0) return;
    clearTimeout(due.timer);
    this.due.delete(at);
  }

  /** Members still waiting (for tests and metrics). */
  get size(): number {
    let n = 0;
    for (const due of this.due.values()) n += due.members.size;
    return n;
  }

  private arm(at: number): ReturnType<typeof setTimeout> {
    return setTimeout(() => this.fire(at), Math.min(Math.max(0, at - Date.now()), MAX_DELAY_MS));
  }

  private fire(at: number): void {
    const due = this.due.get(at);
    if (!due) return;
    if (Date.now() < at) {
      due.timer = this.arm(at);
      return;
    }
    this.due.delete(at);
    for (const member of due.members) this.expire(member);
  }
}
