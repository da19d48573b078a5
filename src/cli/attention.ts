/**
 * `serve`'s attention flags (v1.1): when `done` counts, notifications out (`--notify`), and
 * tmux's status line (`@tmux_monitor_attention`). Kept apart from serve.ts so that file
 * only lists the flags and calls `startAttentionOutputs`.
 */
import type { AttentionOptions } from '../attention/service.ts';
import { ATTENTION_STATES, type AttentionState, type PaneRecord } from '../attention/tracker.ts';
import type { Monitor } from '../monitor.ts';
import { NOTIFY_FORMATS, Notifier, type NotifyFormat } from '../notify/index.ts';
import { TmuxStatusLine } from '../tmux/status/status-line.ts';
import { durationFlag, intFlag, listFlag, multiFlag, stringFlag, UsageError, type FlagSpec, type ParsedFlags } from './args.ts';
import type { Platform } from './platform.ts';

export const ATTENTION_FLAGS: FlagSpec[] = [
  { name: 'done-after', type: 'string', placeholder: 'SECONDS', help: 'an agent busy this long, then ready, is "done" (default 30)' },
  { name: 'no-tmux-status', type: 'boolean', help: 'do not set @tmux_monitor_attention / @tmux_monitor_agent in tmux' },
  {
    name: 'notify',
    type: 'string',
    repeatable: true,
    placeholder: 'URL',
    help: 'post a notification when an agent needs you (repeatable)',
  },
  { name: 'notify-format', type: 'string', placeholder: 'FORMAT', help: 'json, ntfy or slack (default: from the URL, else json)' },
  {
    name: 'notify-secret-file',
    type: 'string',
    placeholder: 'FILE',
    help: 'HMAC key file: sign JSON notifications (X-Tmux-Monitor-Signature)',
  },
  { name: 'notify-secret', type: 'string', placeholder: 'KEY', help: 'HMAC key given inline (visible in ps: prefer --notify-secret-file)' },
  { name: 'notify-on', type: 'string', placeholder: 'LIST', help: 'which attention to notify: waiting,error,done (default all)' },
  { name: 'notify-after', type: 'string', placeholder: 'SECONDS', help: 'only if still unattended after this long (default 0)' },
  { name: 'notify-sessions', type: 'string', placeholder: 'A,B', help: 'only for these session-name patterns (* wildcard)' },
  { name: 'notify-clear', type: 'boolean', help: 'also notify when a notified pane no longer needs you' },
  { name: 'notify-lines', type: 'string', placeholder: 'N', help: 'screen lines in each notification (default 10)' },
  { name: 'notify-timeout', type: 'string', placeholder: 'MS', help: 'time allowed for each request (default 5000)' },
  {
    name: 'dashboard-url',
    type: 'string',
    placeholder: 'URL',
    help: 'dashboard address for links in notifications (default the local one)',
  },
];

/** Checks the attention flags (before anything starts) and returns the tracker's options. */
export function attentionOptions(flags: ParsedFlags): AttentionOptions {
  checkNotifyUrls(multiFlag(flags, 'notify'));
  notifyFormatFlag(flags);
  notifyOn(flags);
  durationFlag(flags, 'notify-after', 0);
  return { doneAfterMs: durationFlag(flags, 'done-after', 30) * 1000 };
}

function notifyOn(flags: ParsedFlags): AttentionState[] | undefined {
  const on = listFlag(flags, 'notify-on');
  for (const state of on ?? []) {
    if (!(ATTENTION_STATES as readonly string[]).includes(state))
      throw new UsageError(`flag --notify-on takes waiting, error and done, not "${state}"`);
  }
  return on as AttentionState[] | undefined;
}

export function notifyFormatFlag(flags: ParsedFlags): NotifyFormat | undefined {
  const format = stringFlag(flags, 'notify-format');
  if (format !== undefined && !(NOTIFY_FORMATS as readonly string[]).includes(format)) {
    throw new UsageError(`flag --notify-format must be ${NOTIFY_FORMATS.join(', ')}, not "${format}"`);
  }
  return format as NotifyFormat | undefined;
}

export async function notifySecret(flags: ParsedFlags, platform: Platform): Promise<string | undefined> {
  const file = stringFlag(flags, 'notify-secret-file');
  if (file !== undefined) return (await platform.readTextFile(file)).trim() || undefined;
  return stringFlag(flags, 'notify-secret');
}

export function checkNotifyUrls(urls: readonly string[]): void {
  for (const spec of urls) {
    const bare = spec.replace(/^(json|ntfy|slack)\+?:(?=https?:)/, '');
    let url: URL;
    try {
      url = new URL(bare);
    } catch {
      throw new UsageError(`flag --notify needs an http(s) URL, not "${spec}"`);
    }
    if (url.protocol !== 'http:' && url.protocol !== 'https:') throw new UsageError(`flag --notify needs an http(s) URL, not "${spec}"`);
  }
}

export interface AttentionOutputSettings {
  flags: ParsedFlags;
  platform: Platform;
  /** tmux source only: where the status line options go. */
  tmux?: { socketName?: string; socketPath?: string; host?: string };
  /** The dashboard's address, known once listening. */
  dashboardUrl: () => string | null;
  audit?: (record: Record<string, unknown>) => void;
}

export interface AttentionOutputs {
  notifier?: Notifier;
  statusLine?: TmuxStatusLine;
  close(): Promise<void>;
}

/**
 * Reads what must be read first (the signing key), then returns `start`, which attaches
 * notifications and the tmux status line to a monitor. Call `start` right after
 * `createMonitor`, before the first events are read, so that none are missed.
 */
export async function prepareAttentionOutputs(
  flags: ParsedFlags,
  platform: Platform,
): Promise<(monitor: Monitor, settings: Omit<AttentionOutputSettings, 'flags' | 'platform'>) => AttentionOutputs> {
  const secret = await notifySecret(flags, platform);
  return (monitor, settings) => startAttentionOutputs(monitor, { ...settings, flags, platform }, secret);
}

/** Notifications and the tmux status line for a running monitor, as the flags ask. */
export function startAttentionOutputs(monitor: Monitor, settings: AttentionOutputSettings, secret: string | undefined): AttentionOutputs {
  const { flags, platform } = settings;
  const attention = monitor.attention;
  if (!attention) return { close: async () => {} };
  const urls = multiFlag(flags, 'notify');
  let notifier: Notifier | undefined;
  if (urls.length > 0) {
    notifier = new Notifier(attention, monitor.hub.source, {
      urls,
      format: notifyFormatFlag(flags),
      secret,
      on: notifyOn(flags),
      afterMs: durationFlag(flags, 'notify-after', 0) * 1000,
      sessions: listFlag(flags, 'notify-sessions'),
      clearing: flags['notify-clear'] === true,
      lines: intFlag(flags, 'notify-lines', 10, 0, 200),
      delivery: { timeoutMs: intFlag(flags, 'notify-timeout', 5000, 100, 600_000) },
      link: (pane) => paneLink(stringFlag(flags, 'dashboard-url') ?? settings.dashboardUrl(), pane),
      record: (attempt) => monitor.hub.audit?.('notify', { ...attempt }),
    });
  }
  let statusLine: TmuxStatusLine | undefined;
  if (settings.tmux && flags['no-tmux-status'] !== true) {
    statusLine = new TmuxStatusLine(attention, { ...settings.tmux, warn: (m) => platform.stderr(`tmux-monitor: ${m}\n`) });
  }
  return {
    notifier,
    statusLine,
    async close() {
      notifier?.close();
      await statusLine?.close();
    },
  };
}

/** The dashboard link for a pane: the pane in the fragment, never a token. */
export function paneLink(base: string | null, pane: Readonly<PaneRecord>): string | null {
  if (!base || pane.location.pane_id === undefined) return null;
  const params = new URLSearchParams({ session: pane.location.session ?? '', pane: pane.location.pane_id });
  if (pane.location.host) params.set('host', pane.location.host);
  return `${base.replace(/#.*$/, '')}#${params.toString()}`;
}
