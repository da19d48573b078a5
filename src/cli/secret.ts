/**
 * The HS256 secret shared by `serve` and `token`: `TMUX_MONITOR_SECRET` if set, else a
 * file created on first use with mode 0600 under $XDG_CONFIG_HOME/tmux-monitor/.
 */
import type { Platform } from './platform.ts';

export function defaultSecretFile(platform: Platform): string {
  const config = platform.env.XDG_CONFIG_HOME || (platform.homeDir ? `${platform.homeDir}/.config` : '.');
  return `${config}/tmux-monitor/secret`;
}

export async function loadSecret(platform: Platform, secretFile: string | undefined): Promise<string> {
  const fromEnv = platform.env.TMUX_MONITOR_SECRET;
  if (fromEnv !== undefined && fromEnv !== '') return fromEnv;

  const path = secretFile ?? defaultSecretFile(platform);
  const mode = await platform.fileMode(path);
  if (mode === undefined) {
    const bytes = crypto.getRandomValues(new Uint8Array(32));
    const secret = btoa(String.fromCharCode(...bytes))
      .replace(/\+/g, '-')
      .replace(/\//g, '_')
      .replace(/=+$/, '');
    try {
      await platform.writeSecretFile(path, secret + '\n');
      return secret;
    } catch {
      // Another process created it first (serve and token racing): read theirs.
    }
  } else if ((mode & 0o077) !== 0) {
    platform.stderr(`warning: ${path} is readable by others (mode ${mode.toString(8)}); run chmod 600 on it\n`);
  }
  const secret = (await platform.readTextFile(path)).trim();
  if (secret === '') throw new Error(`secret file ${path} is empty`);
  return secret;
}
