import type { EventLocation } from '../protocol/events.ts';
import type { Target } from '../protocol/snapshot.ts';

/** A pane or window to act on: `{ session, window, pane? }` or `"session:window.pane"`. */
export interface CommandTarget {
  /** The machine (protocol v1.1): needed only when the session name is used on several hosts. */
  host?: string;
  session: string;
  window: string | number;
  pane?: string | number;
}

const asIndex = (part: string): string | number => (/^\d+$/.test(part) ? Number(part) : part);

/**
 * Parses `session[:window[.pane]]`. tmux forbids `:` and `.` in session names, so the
 * first `:` ends the session; the last `.` starts the pane (window names may hold dots).
 */
export function parseTarget(text: string): Target {
  const colon = text.indexOf(':');
  if (colon === 0 || text === '') throw new TypeError(`not a target: ${JSON.stringify(text)} (expected session[:window[.pane]])`);
  if (colon < 0 || colon === text.length - 1) return { session: colon < 0 ? text : text.slice(0, colon) };
  const session = text.slice(0, colon);
  const rest = text.slice(colon + 1);
  const dot = rest.lastIndexOf('.');
  if (dot > 0 && dot < rest.length - 1) {
    return { session, window: asIndex(rest.slice(0, dot)), pane: asIndex(rest.slice(dot + 1)) };
  }
  return { session, window: asIndex(rest) };
}

/** A command's target: a window at least. */
export function toCommandTarget(target: CommandTarget | string): CommandTarget {
  if (typeof target !== 'string') return target;
  const parsed = parseTarget(target);
  if (parsed.session === undefined || parsed.window === undefined) {
    throw new TypeError(`a command needs session:window or session:window.pane, got ${JSON.stringify(target)}`);
  }
  return { session: parsed.session, window: parsed.window, ...(parsed.pane !== undefined && { pane: parsed.pane }) };
}

/** `session:window.pane` for an event's location, as far as it goes; '' for system events. */
export function formatTarget(location: EventLocation): string {
  if (location.session === undefined) return location.pane_id ?? '';
  let text = location.session;
  if (location.window !== undefined) {
    text += `:${location.window}`;
    if (location.pane !== undefined) text += `.${location.pane}`;
  }
  return text;
}
