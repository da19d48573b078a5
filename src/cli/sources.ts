/** Builds the event source `serve --source` names. */
import { createMemorySource } from '../hub/memory-source.ts';
import { MonitorError } from '../protocol/errors.ts';
import type { EventSource } from '../protocol/source.ts';

export const SOURCE_KINDS = ['tmux', 'poll', 'none'] as const;
export type SourceKind = (typeof SOURCE_KINDS)[number];

export interface SourceSettings {
  socketName?: string;
  socketPath?: string;
  pollIntervalMs: number;
}

export function createSource(kind: SourceKind, settings: SourceSettings): EventSource {
  void settings;
  if (kind === 'none') return createMemorySource();
  throw new MonitorError('TMUX_UNAVAILABLE', `source ${kind} is not available yet`);
}
