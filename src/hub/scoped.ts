/**
 * Reading the tree and reaching panes on behalf of a principal: every target is resolved
 * in the part of the tree the token may see (./targets.ts), and what goes on to the source
 * names the resolved session, window and pane by id, so the check and the act concern
 * the same thing even if a session is renamed in between.
 */
import type { Principal } from '../auth/principal.ts';
import type { SessionSnapshot, Target } from '../protocol/snapshot.ts';
import type { EventSource, SnapshotOptions } from '../protocol/source.ts';
import { hasTarget, narrowTree, resolvePane, visibleSessions, type CommandTarget, type ReachedPane } from './targets.ts';

/** A snapshot narrowed to `target` within the principal's scope. */
export async function scopedSnapshot(
  source: Pick<EventSource, 'snapshot'>,
  principal: Principal,
  target: Target | undefined,
  lines: number,
  options: SnapshotOptions = {},
): Promise<SessionSnapshot[]> {
  if (!hasTarget(target)) return visibleSessions(principal, await source.snapshot(undefined, lines, options));
  const tree = visibleSessions(principal, await source.snapshot(undefined, 0));
  const narrowed = narrowTree(tree, target);
  if (lines === 0) return narrowed;
  // Content: ask again per reached session, pinned by host and id, with the same window and pane.
  const parts = await Promise.all(
    narrowed.map((s) => source.snapshot({ ...target, ...(s.host !== undefined ? { host: s.host } : {}), session: s.id }, lines, options)),
  );
  return visibleSessions(principal, parts.flat());
}

/** The pane a command (or ack) target reaches within the principal's scope; NOT_FOUND otherwise. */
export async function scopedPane(source: Pick<EventSource, 'snapshot'>, principal: Principal, target: CommandTarget): Promise<ReachedPane> {
  return resolvePane(visibleSessions(principal, await source.snapshot(undefined, 0)), target);
}

/** The target to hand the source for a reached pane: its host and ids (ids are unique only within a host). */
export function pinnedTarget<T extends CommandTarget>(target: T, reached: ReachedPane): T {
  const host = reached.session.host ?? target.host;
  return {
    ...target,
    ...(host !== undefined ? { host } : {}),
    session: reached.session.id,
    window: reached.window.id,
    pane: reached.pane.id,
  };
}
