/** Text for the dashboard: durations, times, targets and one-line event summaries. */
import { formatTarget, type MonitorEvent } from '../../client/index.ts';

/** `12s`, `4m`, `1h 5m`, `3d 2h`: short enough for a badge, precise enough to compare. */
export function formatDuration(ms: number): string {
  const s = Math.max(0, Math.floor(ms / 1000));
  if (s < 60) return `${s}s`;
  const m = Math.floor(s / 60);
  if (m < 60) return `${m}m`;
  const h = Math.floor(m / 60);
  if (h < 24) return m % 60 ? `${h}h ${m % 60}m` : `${h}h`;
  const d = Math.floor(h / 24);
  return h % 24 ? `${d}d ${h % 24}h` : `${d}d`;
}

/** Local wall-clock time with milliseconds dropped: `14:03:27`. */
export function clockTime(timestamp: string): string {
  const date = new Date(timestamp);
  if (Number.isNaN(date.getTime())) return '';
  const pad = (n: number) => String(n).padStart(2, '0');
  return `${pad(date.getHours())}:${pad(date.getMinutes())}:${pad(date.getSeconds())}`;
}

export { formatTarget };

/** Control characters out, newlines as ⏎, at most `max` characters. */
export function oneLine(text: string, max = 160): string {
  // eslint-disable-next-line no-control-regex
  const flat = text
    .replace(/\r?\n/g, ' ⏎ ')
    .replace(/[\u0000-\u001f\u007f]/g, '')
    .trim();
  return flat.length > max ? flat.slice(0, max - 1) + '…' : flat;
}

const plural = (n: number, word: string): string => `${n} ${word}${n === 1 ? '' : 's'}`;

/** What happened, in a few words (the type and target are shown beside it). */
export function summarize(event: MonitorEvent): string {
  switch (event.type) {
    case 'agent.status':
      return `${event.data.previous} → ${event.data.status} (${event.data.agent_type})`;
    case 'agent.attention':
      return event.data.attention === null ? 'no longer needs you' : `needs you: ${event.data.attention}`;
    case 'session.created':
      return `created, ${plural(event.data.windows, 'window')}`;
    case 'session.removed':
      return 'closed';
    case 'session.renamed':
    case 'window.renamed':
      return `"${event.data.old_name}" → "${event.data.new_name}"`;
    case 'session.attached':
    case 'session.detached':
      return plural(event.data.clients, 'client') + ' attached';
    case 'window.created':
      return `"${event.data.window_info.name}" created`;
    case 'window.removed':
      return 'closed';
    case 'window.activated':
      return 'became active';
    case 'pane.created':
      return `${event.data.command || 'pane'} started (pid ${event.data.pid})`;
    case 'pane.removed':
      return event.data.exit_status === null ? 'closed' : `exited with status ${event.data.exit_status}`;
    case 'pane.output':
      return `${plural(event.data.bytes, 'byte')}: ${oneLine(event.data.preview)}`;
    case 'pane.error':
    case 'pane.warning':
      return oneLine(event.data.line);
    case 'system.source':
      return `tmux ${event.data.state}${event.data.message ? `: ${event.data.message}` : ''}`;
    case 'system.lagged':
      return `${plural(event.data.dropped, 'output event')} dropped (this page read too slowly)`;
    case 'system.host':
      return `host ${event.data.host} ${event.data.state}`;
  }
}
