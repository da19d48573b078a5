/** `tmux-monitor token`: prints one signed JWT on stdout and nothing else. */
import { signToken } from '../auth/signer.ts';
import { isPermission, isRole } from '../auth/roles.ts';
import type { Permission } from '../protocol/messages.ts';
import { durationFlag, helpText, listFlag, parseFlags, stringFlag, UsageError, type FlagSpec } from './args.ts';
import type { Platform } from './platform.ts';
import { loadSecret } from './secret.ts';

const FLAGS: FlagSpec[] = [
  { name: 'role', type: 'string', placeholder: 'ROLE', help: 'viewer, operator or admin (default viewer)' },
  { name: 'sub', type: 'string', placeholder: 'NAME', help: 'who the token is for (default "cli")' },
  { name: 'ttl', type: 'string', placeholder: 'DURATION', help: 'lifetime: 90s, 30m, 1h, 7d (default 1h)' },
  { name: 'no-expiry', type: 'boolean', help: 'no exp claim (the server must run with --allow-no-expiry)' },
  { name: 'sessions', type: 'string', placeholder: 'A,B', help: 'session-name patterns (with *) the token is limited to' },
  { name: 'hosts', type: 'string', placeholder: 'A,B', help: 'host-name patterns (with *) the token is limited to' },
  { name: 'permissions', type: 'string', placeholder: 'P,Q', help: 'narrow the role to these permissions' },
  { name: 'issuer', type: 'string', placeholder: 'ISS', help: 'iss claim' },
  { name: 'audience', type: 'string', placeholder: 'AUD', help: 'aud claim' },
  { name: 'secret-file', type: 'string', placeholder: 'FILE', help: 'secret file (default $XDG_CONFIG_HOME/tmux-monitor/secret)' },
  { name: 'help', alias: 'h', type: 'boolean', help: 'show this help' },
];

export const tokenHelp = helpText('tmux-monitor token [options]', 'Print a signed token (HS256 with the server secret) on stdout.', FLAGS);

export async function tokenCommand(argv: string[], platform: Platform): Promise<number> {
  const flags = parseFlags(argv, FLAGS);
  if (flags.help) {
    platform.stdout(tokenHelp);
    return 0;
  }
  const role = stringFlag(flags, 'role') ?? 'viewer';
  if (!isRole(role)) throw new UsageError(`flag --role must be viewer, operator or admin, not "${role}"`);
  const permissions = listFlag(flags, 'permissions');
  const unknown = permissions?.find((p) => !isPermission(p));
  if (unknown !== undefined) throw new UsageError(`flag --permissions: unknown permission "${unknown}"`);
  const ttlSec = flags['no-expiry'] ? null : durationFlag(flags, 'ttl', 3600);
  if (ttlSec === 0) throw new UsageError('flag --ttl must be more than 0');

  const secret = await loadSecret(platform, stringFlag(flags, 'secret-file'));
  const token = await signToken(secret, {
    sub: stringFlag(flags, 'sub') ?? 'cli',
    role,
    ttlSec,
    sessions: listFlag(flags, 'sessions'),
    hosts: listFlag(flags, 'hosts'),
    permissions: permissions as Permission[] | undefined,
    issuer: stringFlag(flags, 'issuer'),
    audience: stringFlag(flags, 'audience'),
  });
  platform.stdout(token + '\n');
  return 0;
}
