/**
 * The three ways a notice is posted: generic JSON (signed with HMAC-SHA256 when there is a
 * secret, as webhook providers do), ntfy (text body, title/priority/tags headers) and
 * Slack-compatible incoming webhooks (`{"text": …}`). Web-standard APIs only.
 */
import type { Notice } from './notice.ts';

export const NOTIFY_FORMATS = ['json', 'ntfy', 'slack'] as const;
export type NotifyFormat = (typeof NOTIFY_FORMATS)[number];

export const SIGNATURE_HEADER = 'X-Tmux-Monitor-Signature';
export const TIMESTAMP_HEADER = 'X-Tmux-Monitor-Timestamp';
export const DELIVERY_HEADER = 'X-Tmux-Monitor-Delivery';

export interface OutgoingRequest {
  body: string;
  headers: Record<string, string>;
}

/**
 * The format for a `--notify` value: an explicit `json:`/`ntfy:`/`slack:` prefix, else
 * `fallback` (`--notify-format`), else a guess from the URL. Returns the bare URL too.
 */
export function formatOf(spec: string, fallback?: NotifyFormat): { url: string; format: NotifyFormat } {
  const prefixed = /^(json|ntfy|slack)\+?:(?=https?:)/.exec(spec);
  if (prefixed) return { url: spec.slice(prefixed[0].length), format: prefixed[1] as NotifyFormat };
  if (fallback) return { url: spec, format: fallback };
  let parsed: URL;
  try {
    parsed = new URL(spec);
  } catch {
    return { url: spec, format: 'json' };
  }
  if (/(^|\.)ntfy\./.test(parsed.hostname) || parsed.hostname.startsWith('ntfy')) return { url: spec, format: 'ntfy' };
  if (parsed.hostname === 'hooks.slack.com' || /\/slack\/?$/.test(parsed.pathname)) return { url: spec, format: 'slack' };
  return { url: spec, format: 'json' };
}

export async function hmacSha256Hex(secret: string, body: string): Promise<string> {
  const encoder = new TextEncoder();
  const key = await crypto.subtle.importKey('raw', encoder.encode(secret), { name: 'HMAC', hash: 'SHA-256' }, false, ['sign']);
  const signature = new Uint8Array(await crypto.subtle.sign('HMAC', key, encoder.encode(body)));
  return Array.from(signature, (b) => b.toString(16).padStart(2, '0')).join('');
}

/** The request for one notice (without the per-attempt timestamp/delivery headers). */
export async function buildRequest(format: NotifyFormat, notice: Notice, secret: string | undefined): Promise<OutgoingRequest> {
  switch (format) {
    case 'json': {
      const body = JSON.stringify({ type: 'agent.attention', ...notice });
      const headers: Record<string, string> = { 'content-type': 'application/json' };
      if (secret) headers[SIGNATURE_HEADER] = `sha256=${await hmacSha256Hex(secret, body)}`;
      return { body, headers };
    }
    case 'ntfy': {
      const headers: Record<string, string> = {
        'content-type': 'text/plain; charset=utf-8',
        // ntfy reads headers as latin-1; RFC 2047 lets the title carry any text.
        Title: encodeHeader(notice.attention ? `${notice.agent_type}: ${notice.attention}` : `${notice.agent_type}: answered`),
        Priority: notice.attention === 'waiting' || notice.attention === 'error' ? 'high' : 'default',
        Tags: { waiting: 'question', error: 'rotating_light', done: 'white_check_mark', none: 'heavy_check_mark' }[
          notice.attention ?? 'none'
        ],
      };
      if (notice.url) headers.Click = notice.url;
      const body = notice.screen ? `${notice.text}\n\n${notice.screen}` : notice.text;
      return { body, headers };
    }
    case 'slack': {
      const screen = notice.screen ? `\n\`\`\`\n${notice.screen.replace(/```/g, "'''")}\n\`\`\`` : '';
      const link = notice.url ? ` <${notice.url}|open>` : '';
      const body = JSON.stringify({ text: `${escapeSlack(notice.text)}${link}${screen}` });
      return { body, headers: { 'content-type': 'application/json' } };
    }
  }
}

function escapeSlack(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

function encodeHeader(text: string): string {
  // eslint-disable-next-line no-control-regex
  if (/^[\x20-\x7e]*$/.test(text)) return text;
  const bytes = new TextEncoder().encode(text);
  return `=?UTF-8?B?${btoa(String.fromCharCode(...bytes))}?=`;
}
