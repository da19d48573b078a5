/**
 * opencode (`opencode`, a full-screen TUI in the alternate screen; the npm package runs
 * its native `opencode` binary, which names the process). From the real screens of
 * opencode 1.18 (test/fixtures/screens/opencode/). The title is `OpenCode` on the home
 * screen and `OC | <session title>` in a session.
 *
 * | status  | what tmux shows |
 * |---------|------------------|
 * | busy    | the footer's progress blocks and `esc interrupt` (also while it retries a failed request) |
 * | waiting | `△ Permission required` with `Allow once  Allow always  Reject`; the question tool's `↑↓ select  enter submit  esc dismiss` |
 * | error   | the last turn's `▣  Build · <model>` line without a duration (the turn did not finish) under an error block or a cut-off answer (toasts are not used: they outlive the error) |
 * | ready   | the prompt box (`Ask anything…` or a typed prompt), footer `ctrl+p commands`, the last turn's `▣ … · 11.5s` |
 */
import type { AgentProfile, Detection, ScreenView } from './types.ts';

/** The line under each assistant turn: `▣  Build · Fake Model · 1.0s` once finished. */
const TURN = /^\s*▣\s+\S/;
const FINISHED = /·\s*(\d+h\s*)?(\d+m\s*)?[\d.]+m?s(\s|$)|interrupted/i;
/** Words of an error block. */
const TOAST_ERROR =
  /error|invalid|incorrect|not exist|not found|no access|maximum context|rate limit|denied|fail|unauthori[sz]ed|exceeded|too long|forbidden/i;

function refine(d: Detection, view: ScreenView): Detection | null {
  if (d.status === 'waiting' || d.status === 'busy') return null;
  const error = (reason: string): Detection => ({ status: 'error', agent_type: d.agent_type, reason });
  // The last turn's `▣` line has no duration: the turn did not finish. What is just above it
  // says why: an error block, or the answer cut off mid-stream (error); only the prompt that
  // was sent (the retries stopped with Esc before any answer: ready).
  const lines = view.lines;
  for (let i = lines.length - 1; i >= 0; i--) {
    if (!TURN.test(lines[i]!)) continue;
    if (FINISHED.test(lines[i]!)) break;
    for (let j = i - 1; j >= 0; j--) {
      const above = lines[j]!;
      if (/^\s*┃\s*$/.test(above)) continue;
      const barred = /^\s*┃\s+(\S.*)$/.exec(above);
      // A tool call that did not run (`$ rm -rf build`, refused at its permission prompt).
      if (!barred) return /^\s*[$→←✱⚙]\s/.test(above) ? null : error('answer cut off');
      if (TOAST_ERROR.test(barred[1]!)) return error('error block');
      return d.status === 'error' ? { status: 'ready', agent_type: d.agent_type, reason: 'stopped' } : null;
    }
    break;
  }
  return null;
}

export const opencode: AgentProfile = {
  type: 'opencode',
  commands: /^opencode$/i,
  children: /^opencode$/i,
  titles: /^(OpenCode|OC \| )/,
  fullScreen: true,
  signatures: [/ctrl\+p commands/, /tab agents/, /Ask anything…/, /▣\s+Build · /],
  waiting: [
    { re: /△ Permission required/, reason: 'permission prompt' },
    { re: /Allow once\s+Allow always\s+Reject/, reason: 'permission prompt' },
    { re: /↑↓ select\s+enter submit/, reason: 'question' },
  ],
  busy: [
    { re: /esc interrupt/i, reason: 'esc interrupt', last: 2 },
    // The footer's progress blocks (`■■■⬝⬝⬝⬝⬝`), there whatever the width.
    { re: /^\s*[■⬝]{6,}/m, reason: 'progress', last: 3 },
  ],
  error: [],
  ready: [
    { re: /ctrl\+p commands/, reason: 'prompt' },
    { re: /Ask anything…/, reason: 'prompt' },
    { re: /^\s*┃/m, reason: 'prompt', generic: true },
  ],
  refine,
};
