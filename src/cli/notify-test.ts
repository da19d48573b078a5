/** `tmux-monitor notify-test URL`: post a sample notification, print what the endpoint said. */
import { Endpoint, formatOf, sampleNotice, type AttemptRecord } from '../notify/index.ts';
import { helpText, intFlag, parseFlags, stringFlag, UsageError, type FlagSpec } from './args.ts';
import { checkNotifyUrls, notifyFormatFlag, notifySecret } from './attention.ts';
import type { Platform } from './platform.ts';

const FLAGS: FlagSpec[] = [
  { name: 'notify-format', type: 'string', placeholder: 'FORMAT', help: 'json, ntfy or slack (default: from the URL, else json)' },
  { name: 'notify-secret-file', type: 'string', placeholder: 'FILE', help: 'HMAC key file: sign the JSON body' },
  { name: 'notify-secret', type: 'string', placeholder: 'KEY', help: 'HMAC key given inline' },
  { name: 'notify-timeout', type: 'string', placeholder: 'MS', help: 'time allowed for the request (default 5000)' },
  { name: 'dashboard-url', type: 'string', placeholder: 'URL', help: 'a dashboard address for the sample link' },
  { name: 'help', alias: 'h', type: 'boolean', help: 'show this help' },
];

export const notifyTestHelp = helpText(
  'tmux-monitor notify-test URL [options]',
  'Send a sample notification to URL, as serve --notify would.',
  FLAGS,
);

export async function notifyTestCommand(argv: string[], platform: Platform): Promise<number> {
  const positional = argv[0] !== undefined && !argv[0].startsWith('-');
  const spec = positional ? argv[0] : undefined;
  const rest = positional ? argv.slice(1) : argv;
  const flags = parseFlags(rest, FLAGS);
  if (flags.help) {
    platform.stdout(notifyTestHelp);
    return 0;
  }
  if (spec === undefined) throw new UsageError('notify-test needs a URL');
  checkNotifyUrls([spec]);
  const { url, format } = formatOf(spec, notifyFormatFlag(flags));
  const attempts: AttemptRecord[] = [];
  const timeoutMs = intFlag(flags, 'notify-timeout', 5000, 100, 600_000);
  const endpoint = new Endpoint(
    url,
    format,
    await notifySecret(flags, platform),
    {
      timeoutMs,
      maxAttempts: 1,
      baseDelayMs: 0,
      maxDelayMs: 0,
      queueSize: 1,
    },
    (a) => attempts.push(a),
  );
  endpoint.enqueue(sampleNotice(stringFlag(flags, 'dashboard-url') ?? null));
  await endpoint.idle();
  const last = attempts[attempts.length - 1];
  if (last?.outcome === 'delivered') {
    platform.stdout(`sent a sample ${format} notification to ${endpoint.label}: HTTP ${last.status}\n`);
    return 0;
  }
  platform.stderr(
    `tmux-monitor: ${format} notification to ${endpoint.label} failed: ${last?.status ? `HTTP ${last.status}` : (last?.error ?? 'no answer')}\n`,
  );
  return 1;
}
