/**
 * Turn-aware error reading for agents whose transcript keeps old turns on screen: an
 * error banner counts only while it is the outcome of the last prompt sent, i.e. it sits
 * between that prompt (in the transcript) and the input box. Once a new prompt is sent
 * below it, the old banner is history.
 */
import type { Detection, ScreenView } from './types.ts';

export interface TurnLayout {
  /** The input box's line (searched from the bottom, within `boxWithin` lines). */
  box: RegExp;
  boxWithin?: number;
  /** A prompt a person sent, as the transcript shows it. */
  prompt: RegExp;
  /** An error banner. */
  error: RegExp;
  /** A banner that looks like an error but is not one (an interrupt notice). */
  notError?: RegExp;
}

/**
 * `error` when an error banner follows the last prompt sent; `ready` when the screen
 * matched an error pattern that is an old turn's; null to keep the detection.
 */
export function refineByTurn(layout: TurnLayout): (d: Detection, view: ScreenView) => Detection | null {
  return (d, view) => {
    if (d.status === 'waiting' || d.status === 'busy') return null;
    const lines = view.lines;
    let box = -1;
    for (let i = lines.length - 1; i >= 0 && i >= lines.length - (layout.boxWithin ?? 8); i--) {
      if (layout.box.test(lines[i]!)) {
        box = i;
        break;
      }
    }
    if (box < 0) return null;
    for (let i = box - 1; i >= 0; i--) {
      const line = lines[i]!;
      if (layout.prompt.test(line)) break;
      if (layout.error.test(line) && !layout.notError?.test(line)) {
        return { status: 'error', agent_type: d.agent_type, reason: 'error banner' };
      }
    }
    return d.status === 'error' ? { status: 'ready', agent_type: d.agent_type, reason: 'prompt' } : null;
  };
}
