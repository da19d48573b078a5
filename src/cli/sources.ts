/** Builds the event source `serve --source` names. */
import { createMemorySource } from '../hub/memory-source.ts';
import type { EventSource } from '../protocol/source.ts';
import { createPollSource, createTmuxSource } from '../tmux/index.ts';
import { createStdinSource } from './stdin-source.ts';

export const SOURCE_KINDS = ['tmux', 'poll', 'stdin', 'none'] as const;
export type SourceKind = (typeof SOURCE_KINDS)[number];

export interface SourceSettings {
  socketName?: string;
  socketPath?: string;
  pollIntervalMs: number;
  /** Standard input, line by line (for `stdin`). */
  stdinLines: () => AsyncIterable<string>;
  /** Where `stdin` reports lines it ignores. */
  warn: (message: string) => void;
}

export function createSource(kind: SourceKind, settings: SourceSettings): EventSource {
  const tmux = { socketName: settings.socketName, socketPath: settings.socketPath };
  switch (kind) {
    case 'tmux':
      return createTmuxSource(tmux);
    case 'poll':
      return createPollSource({ ...tmux, intervalMs: settings.pollIntervalMs });
    case 'stdin':
      return createStdinSource(settings.stdinLines(), settings.warn);
    case 'none':
      return createMemorySource();
  }
}
