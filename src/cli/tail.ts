/**
 * `tmux-monitor tail`: prints a running server's events, one line each (or JSON Lines),
 * built on the JS client (src/client/), so it reconnects and resumes like any client.
 * Event lines go to stdout; connection news (reconnects, gaps, errors) to stderr.
 */
import {
  TmuxMonitor,
  TmuxMonitorError,
  formatTarget,
  type EventPattern,
  type MonitorEvent,
  type SubscribeFilters,
  type Subscription,
} from '../client/index.ts';
import { EVENT_TYPES } from '../protocol/events.ts';
import { UsageError, helpText, listFlag, parseFlags, stringFlag, type FlagSpec } from './args.ts';
import type { CliIO } from './io.ts';

export const DEFAULT_TAIL_URL = 'ws://127.0.0.1:8765/monitor';

const FLAGS: readonly FlagSpec[] = [
  { name: 'url', type: 'string', placeholder: 'URL', help: `server URL (default ${DEFAULT_TAIL_URL})` },
  { name: 'token', type: 'string', placeholder: 'JWT', help: 'access token (default: $TMUX_MONITOR_TOKEN)' },
  { name: 'types', type: 'string', placeholder: 'LIST', help: 'event types, families (pane.*) or *, comma-separated' },
  { name: 'sessions', type: 'string', placeholder: 'LIST', help: 'session names or ids, comma-separated' },
  { name: 'hosts', type: 'string', placeholder: 'LIST', help: 'host names, comma-separated (several machines on a NATS bus)' },
  { name: 'windows', type: 'string', placeholder: 'LIST', help: 'window names, ids or indexes, comma-separated' },
  { name: 'panes', type: 'string', placeholder: 'LIST', help: 'pane ids (%3) or session:window.pane, comma-separated' },
  { name: 'json', type: 'boolean', help: 'print each event as one line of JSON (JSON Lines)' },
  { name: 'attention', type: 'boolean', help: 'print only what needs a person (agent.attention: waiting, error, done)' },
  { name: 'help', alias: 'h', type: 'boolean', help: 'show this help' },
];

const USAGE = helpText(
  'tmux-monitor tail [--url URL] [--token JWT] [--types LIST] [--sessions LIST] [--json] [--attention]',
  'Print the events of a running tmux-monitor server as they happen, one line each:\n' +
    'time, type, target (session:window.pane, as host/session:window.pane once events of\n' +
    'more than one host have been seen) and a summary. Reconnects and resumes on its own.',
  FLAGS,
);

interface TailOptions {
  url: string;
  token: string | undefined;
  filters: SubscribeFilters;
  json: boolean;
  /** Only agents that need a person. */
  attention: boolean;
}

export async function tailCommand(argv: string[], io: CliIO): Promise<number> {
  let options: TailOptions | 'help';
  try {
    options = parseTailArgs(argv, io.env);
  } catch (error) {
    if (!(error instanceof UsageError)) throw error;
    io.stderr(`tmux-monitor tail: ${error.message} (see --help)\n`);
    return 2;
  }
  if (options === 'help') {
    io.stdout(USAGE);
    return 0;
  }
  return tail(options, io);
}

export function parseTailArgs(argv: readonly string[], env: CliIO['env']): TailOptions | 'help' {
  const flags = parseFlags(argv, FLAGS);
  if (flags.help) return 'help';
  const url = stringFlag(flags, 'url') ?? DEFAULT_TAIL_URL;
  try {
    new URL(url);
    if (!/^(wss?|https?):\/\//i.test(url)) throw new Error();
  } catch {
    throw new UsageError(`flag --url must be a ws://, wss://, http:// or https:// URL, not "${url}"`);
  }
  const token = stringFlag(flags, 'token') ?? (env.TMUX_MONITOR_TOKEN || undefined);
  if (token === '') throw new UsageError('flag --token needs a value');

  const filters: SubscribeFilters = {};
  const types = listFlag(flags, 'types');
  if (types) {
    const unknown = types.find((t) => !isEventPattern(t));
    if (unknown !== undefined) throw new UsageError(`flag --types: unknown event type "${unknown}" (known: ${EVENT_TYPES.join(', ')})`);
    filters.types = types as EventPattern[];
  }
  for (const name of ['sessions', 'hosts', 'windows', 'panes'] as const) {
    const list = listFlag(flags, name);
    if (list) filters[name] = name === 'windows' ? list.map((w) => (/^\d+$/.test(w) ? Number(w) : w)) : list;
  }
  const attention = flags.attention === true;
  if (attention) {
    if (filters.types) throw new UsageError('flags --attention and --types go separately (--attention means agent.attention)');
    filters.types = ['agent.attention'];
  }
  return { url, token, filters, json: flags.json === true, attention };
}

function isEventPattern(pattern: string): boolean {
  if (pattern === '*') return true;
  if (pattern.endsWith('.*')) return EVENT_TYPES.some((t) => t.startsWith(pattern.slice(0, -1)));
  return (EVENT_TYPES as readonly string[]).includes(pattern);
}

async function tail(options: TailOptions, io: CliIO): Promise<number> {
  const monitor = new TmuxMonitor(options.url, {
    ...(options.token !== undefined && { token: options.token }),
    ...(io.WebSocket && { WebSocket: io.WebSocket }),
  });
  const color = io.isTTY && !io.env.NO_COLOR;
  const say = (text: string): void => io.stderr(`tmux-monitor tail: ${text}\n`);

  monitor.on('open', (e) => say(`${e.reconnected ? 'reconnected to' : 'connected to'} ${monitor.url} (epoch ${e.epoch})`));
  monitor.on('reconnecting', (e) => {
    const why = `${e.code}${e.reason ? ` ${e.reason}` : ''}`;
    const when = `in ${(e.delayMs / 1000).toFixed(1)} s (attempt ${e.attempt})`;
    say(e.attempt === 1 ? `connection lost (${why}); reconnecting ${when}` : `still disconnected (${why}); retrying ${when}`);
  });
  monitor.on('resumed', (e) => e.complete && say(`resumed after seq ${e.since}: ${e.replayed} missed event(s) delivered`));
  monitor.on('gap', (e) =>
    say(
      e.reason === 'epoch-changed'
        ? `the server restarted (epoch ${e.previousEpoch} → ${e.epoch}): events may have been missed`
        : `the server no longer holds every event after seq ${e.since}: events were missed`,
    ),
  );
  monitor.on('error', (e) => say(`${e.code}: ${e.message}`));

  const onAbort = (): void => void monitor.close();
  io.signal?.addEventListener('abort', onAbort, { once: true });
  if (io.signal?.aborted) onAbort();

  let failure: TmuxMonitorError | undefined;
  const stream = monitor.events();
  monitor.subscribe(options.filters).then(
    (subscription) => say(`subscribed to ${describeFilters(subscription.filters)}`),
    (error: TmuxMonitorError) => {
      // Refused (e.g. INVALID_FILTER) or the connection ended: stop either way.
      failure ??= error;
      void monitor.close();
    },
  );
  try {
    // The host level shows once there is more than one host (a NATS bus).
    const hosts = new Set<string>();
    for await (const event of stream) {
      // --attention: a pane needing someone, not the all-clear that follows.
      if (options.attention && (event.type !== 'agent.attention' || event.data.attention === null)) continue;
      if (event.host !== undefined) hosts.add(event.host);
      io.stdout(options.json ? `${JSON.stringify(event)}\n` : `${formatEventLine(event, color, hosts.size > 1)}\n`);
    }
  } catch (error) {
    failure = error instanceof TmuxMonitorError ? error : new TmuxMonitorError('INTERNAL_ERROR', String(error));
  } finally {
    io.signal?.removeEventListener('abort', onAbort);
    await monitor.close();
  }
  if (io.signal?.aborted) return 0;
  if (failure) {
    say(`stopped: ${failure.code}: ${failure.message}`);
    return 1;
  }
  return 0;
}

function describeFilters(filters: Subscription['filters']): string {
  const parts = (['types', 'sessions', 'hosts', 'windows', 'panes'] as const)
    .filter((name) => (filters[name]?.length ?? 0) > 0)
    .map((name) => `${name} ${filters[name]!.join(',')}`);
  return parts.length > 0 ? parts.join('; ') : 'all events';
}

// ── Formatting ───────────────────────────────────────────────────────────────

const ANSI = { dim: 2, red: 31, green: 32, yellow: 33, blue: 34, magenta: 35, cyan: 36, gray: 90 } as const;
type Colour = keyof typeof ANSI;

const FAMILY_COLOURS: Record<string, Colour> = { session: 'cyan', window: 'blue', pane: 'green', agent: 'magenta', system: 'yellow' };
const STATUS_COLOURS: Record<string, Colour> = {
  ready: 'green',
  busy: 'yellow',
  waiting: 'cyan',
  error: 'red',
  exited: 'gray',
  unknown: 'gray',
};

/** `12:00:00.123  agent.status      ai-chat:0.0   ready → busy (claude)` */
export function formatEventLine(event: MonitorEvent, color = false, showHost = false): string {
  const paint = (text: string, colour: Colour | undefined): string => (color && colour ? `\x1b[${ANSI[colour]}m${text}\x1b[0m` : text);
  const family = event.type.slice(0, event.type.indexOf('.'));
  const time = paint(clockTime(event.timestamp), 'dim');
  const type = paint(event.type.padEnd(16), FAMILY_COLOURS[family]);
  const where = formatTarget(event) || '-';
  const target = (showHost && event.host !== undefined ? `${clean(event.host)}/${where}` : where).padEnd(showHost ? 20 : 12);
  const summary = summarize(event, paint);
  return `${time}  ${type}  ${target}  ${summary}`.trimEnd();
}

/** Local wall-clock time with milliseconds. */
function clockTime(timestamp: string): string {
  const date = new Date(timestamp);
  if (Number.isNaN(date.getTime())) return '--:--:--.---';
  const two = (n: number): string => String(n).padStart(2, '0');
  return `${two(date.getHours())}:${two(date.getMinutes())}:${two(date.getSeconds())}.${String(date.getMilliseconds()).padStart(3, '0')}`;
}

/** One short line about what happened; exhaustive, so a new event type is a type error. */
function summarize(event: MonitorEvent, paint: (text: string, colour: Colour | undefined) => string): string {
  switch (event.type) {
    case 'session.created':
      return `"${clean(event.data.session)}" (${plural(event.data.windows, 'window')}) in ${clean(event.data.path)}`;
    case 'session.removed':
      return `"${clean(event.data.session)}"`;
    case 'session.renamed':
    case 'window.renamed':
      return `"${clean(event.data.old_name)}" → "${clean(event.data.new_name)}"`;
    case 'session.attached':
    case 'session.detached':
      return `${plural(event.data.clients, 'client')} attached`;
    case 'window.created':
      return `"${clean(event.data.window_info.name)}"`;
    case 'window.removed':
    case 'window.activated':
      return event.window_name === undefined ? '' : `"${clean(event.window_name)}"`;
    case 'pane.created':
      return `${clean(event.data.command)} (pid ${event.data.pid})`;
    case 'pane.removed':
      return event.data.exit_status === null ? '' : `exit status ${event.data.exit_status}`;
    case 'pane.output': {
      const severity =
        event.data.severity === 'info' ? '' : `${paint(event.data.severity, event.data.severity === 'error' ? 'red' : 'yellow')} `;
      return `${severity}${plural(event.data.bytes, 'byte')}: ${preview(event.data.preview)}`;
    }
    case 'pane.error':
      return paint(preview(event.data.line), 'red');
    case 'pane.warning':
      return paint(preview(event.data.line), 'yellow');
    case 'agent.status': {
      const { previous, status, agent_type } = event.data;
      return `${paint(previous, STATUS_COLOURS[previous])} → ${paint(status, STATUS_COLOURS[status])} (${clean(agent_type)})`;
    }
    case 'system.source':
      return `${paint(event.data.state, event.data.state === 'connected' ? 'green' : 'red')}${event.data.message && event.data.message !== event.data.state ? `: ${clean(event.data.message)}` : ''}`;
    case 'system.lagged':
      return `dropped ${plural(event.data.dropped, 'output event')} (reading too slowly)`;
    case 'system.host':
      return `host "${clean(event.data.host)}" ${paint(event.data.state, event.data.state === 'connected' ? 'green' : 'red')}`;
    case 'agent.attention':
      return event.data.attention === null
        ? `no longer needs you${event.data.previous ? ` (was ${event.data.previous})` : ''}`
        : paint(
            `needs you: ${event.data.attention}`,
            event.data.attention === 'done' ? 'green' : event.data.attention === 'error' ? 'red' : 'yellow',
          );
    default: {
      // A type this build does not know (a newer server): show its data. `never` makes a
      // new type in src/protocol/ a compile error here until it gets its own summary.
      const unknown: never = event;
      return preview(JSON.stringify((unknown as { data?: unknown }).data ?? {}));
    }
  }
}

function plural(n: number, word: string): string {
  return `${n} ${word}${n === 1 ? '' : 's'}`;
}

/** Control characters from pane text must not reach the terminal. */
function clean(text: string): string {
  return String(text).replace(/[\x00-\x1f\x7f-\x9f]/g, ' ');
}

/** Pane text on one line: newlines shown as ⏎, at most 100 characters. */
function preview(text: string): string {
  const line = clean(String(text).replace(/\r?\n/g, ' ⏎ ')).trim();
  return line.length > 100 ? `${line.slice(0, 99)}…` : line;
}
