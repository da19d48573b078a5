/**
 * An RPC reply must fit in one NATS message (the server's `max_payload`, 1 MiB unless
 * configured): a snapshot with pane content easily does not (a pane's scrollback with its
 * colours, JSON-escaped, is several bytes a character). Content is cut as for a WebSocket
 * reply (oldest lines first, `content_truncated`), until the encoded reply fits.
 */
import type { SessionSnapshot } from '../protocol/snapshot.ts';
import { boundSnapshotContent } from '../hub/snapshot-bound.ts';

const encoder = new TextEncoder();

/** Whether `text` takes more than `maxBytes` in UTF-8 (encoded only when it might). */
export function overBytes(text: string, maxBytes: number): boolean {
  return text.length * 3 > maxBytes && encoder.encode(text).length > maxBytes;
}

/** A reply already encoded: sent as it is, not serialized again. */
export class EncodedReply {
  constructor(readonly text: string) {}
}

/**
 * The reply `{ok: true, result: sessions}`, encoded, with pane content cut until it is at
 * most `maxBytes`. The text measured is the text sent: a large snapshot is serialized once
 * when it fits.
 */
export function fitSnapshotReply(sessions: SessionSnapshot[], maxBytes: number): EncodedReply {
  let chars = 0;
  for (const s of sessions) for (const w of s.windows) for (const p of w.panes) chars += p.content?.length ?? 0;
  let text = JSON.stringify({ ok: true, result: sessions });
  // Each try scales the budget by how far over the last one was (bytes per character vary).
  for (let tries = 0; tries < 8 && chars > 0 && text.length * 3 > maxBytes; tries++) {
    const bytes = encoder.encode(text).length;
    if (bytes <= maxBytes) break;
    chars = Math.floor((chars * maxBytes * 0.9) / bytes);
    text = JSON.stringify({ ok: true, result: boundSnapshotContent(sessions, chars) });
  }
  return new EncodedReply(text);
}
