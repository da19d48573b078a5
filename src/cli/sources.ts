/** Builds the event source `serve --source` names. */
import { createMemorySource } from '../hub/memory-source.ts';
import type { EventSource } from '../protocol/source.ts';
import { createPollSource, createTmuxSource } from '../tmux/index.ts';

export const SOURCE_KINDS = ['tmux', 'poll', 'none'] as const;
export type SourceKind = (typeof SOURCE_KINDS)[number];

export interface SourceSettings {
  socketName?: string;
  socketPath?: string;
  pollIntervalMs: number;
}

export function createSource(kind: SourceKind, settings: SourceSettings): EventSource {
  const tmux = { socketName: settings.socketName, socketPath: settings.socketPath };
  switch (kind) {
    case 'tmux':
      return createTmuxSource(tmux);
    case 'poll':
      return createPollSource({ ...tmux, intervalMs: settings.pollIntervalMs });
    case 'none':
      return createMemorySource();
  }
}
