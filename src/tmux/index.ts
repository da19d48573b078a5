/**
 * tmux sources for the hub: `createTmuxSource` (control mode, tmux ≥ 3.2) and
 * `createPollSource` (polling `list-panes`/`capture-pane`, for older tmux and as the
 * benchmark baseline). Both implement `EventSource` (src/protocol/source.ts).
 */
import type { EventSource } from '../protocol/source.ts';
import { TmuxSource, type TmuxSourceOptions } from './source/tmux-source.ts';
import { PollSource, type PollSourceOptions } from './poll/poll-source.ts';

export type { TmuxSourceOptions } from './source/tmux-source.ts';
export type { PollSourceOptions } from './poll/poll-source.ts';
export { TmuxSource } from './source/tmux-source.ts';
export { PollSource } from './poll/poll-source.ts';
export { detect, identify, parseAgentState, AGENTS } from './agents/detect.ts';
export type { PaneFacts } from './agents/detect.ts';

export function createTmuxSource(options: TmuxSourceOptions = {}): TmuxSource & EventSource {
  return new TmuxSource(options);
}

export function createPollSource(options: PollSourceOptions = {}): PollSource & EventSource {
  return new PollSource(options);
}
