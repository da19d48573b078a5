/**
 * Codex CLI (OpenAI's `codex`, a ratatui TUI in the alternate screen). From the real
 * screens of Codex CLI 0.171 (test/fixtures/screens/codex/). The npm install shows as
 * `node` with the native `codex` binary as its child; the terminal title is
 * `<spinner> <thread title> | <folder>` while it works and `[ . ] Action Required | …`
 * while a dialog waits.
 *
 * | status  | what tmux shows |
 * |---------|------------------|
 * | busy    | a braille spinner leading the title (also while it streams with no status row); `• Working (3s • esc to interrupt)` |
 * | waiting | title `Action Required`; "Would you like to run the following command?", "Trust this folder?", `› 1. Yes, proceed`, "Press enter to confirm or esc to cancel" |
 * | error   | a `■ …` banner below the last prompt sent (not the `■ Conversation interrupted` notice after Esc) |
 * | ready   | the composer `› Ask Codex to do anything` (or a typed, unsent prompt), footer `? for shortcuts` |
 */
import type { AgentProfile, Detection, ScreenView } from './types.ts';

const SPINNER = /^[\u2800-\u28ff]\s/;

/** The last turn stopped on an error: a `■` banner after the last prompt sent, before the composer. */
function refine(d: Detection, view: ScreenView): Detection | null {
  if (d.status === 'waiting' || (d.status === 'busy' && d.reason !== 'title spinner')) return null;
  const lines = view.lines;
  // The composer: the last `›` line (the prompt box), whatever is typed in it.
  let composer = -1;
  for (let i = lines.length - 1; i >= 0 && i >= lines.length - 8; i--) {
    if (/^›(\s|$)/.test(lines[i]!)) {
      composer = i;
      break;
    }
  }
  if (composer < 0) return null;
  if (d.status === 'busy') {
    // A title spinner counts once a prompt was sent: at start-up Codex spins it while it loads.
    const sent = lines.slice(0, composer).some((l) => /^›\s(?!\d+\.)/.test(l));
    return sent ? null : { status: 'ready', agent_type: d.agent_type, reason: 'prompt' };
  }
  let answered = false;
  let finished = false;
  let sent = false;
  for (let i = composer - 1; i >= 0; i--) {
    const line = lines[i]!;
    if (/^›\s/.test(line)) {
      sent = true; // the last prompt sent: nothing before it counts
      break;
    }
    if (/^■\s/.test(line)) {
      if (/interrupted/i.test(line)) return { status: 'ready', agent_type: d.agent_type, reason: 'interrupted' };
      return { status: 'error', agent_type: d.agent_type, reason: 'error banner' };
    }
    if (/Worked for /.test(line)) finished = true;
    if (/^•\s/.test(line)) answered = true;
  }
  // An answer below the last prompt with no `Worked for …` line after it is still streaming
  // (the title's spinner says so too, when there is a title).
  if (sent && answered && !finished) return { status: 'busy', agent_type: d.agent_type, reason: 'answer streaming' };
  return d.status === 'error' ? { status: 'ready', agent_type: d.agent_type, reason: 'prompt' } : null;
}

export const codex: AgentProfile = {
  type: 'codex',
  commands: /^codex(-[\w-]+)?$/i,
  children: /^codex(-[\w-]+)?$/i,
  fullScreen: true,
  busyTitles: [{ re: SPINNER, reason: 'title spinner' }],
  waitingTitles: [{ re: /Action Required/, reason: 'title: action required' }],
  signatures: [
    /OpenAI Codex/,
    /Ask Codex to do anything/,
    /tell Codex what to do differently/,
    /You approved codex to run/,
    /Would you like to run the following command\?/,
    /Would you like to make the following edits\?/,
    /Codex can read, edit, and run files here/,
    /← for agents · \? for shortcuts/,
    /^\s*>_ /m,
  ],
  waiting: [
    { re: /Would you like to run the following command\?/, reason: 'command approval' },
    { re: /Would you like to make the following edits\?/, reason: 'edit approval' },
    { re: /Do you want to approve access to/, reason: 'network approval' },
    { re: /needs your approval/, reason: 'approval request' },
    { re: /Allow command\?/, reason: 'command approval' },
    { re: /Yes, provide the requested info/, reason: 'input request' },
    { re: /Press enter to confirm or esc to cancel/, reason: 'approval request' },
    { re: /Trust this folder\?|Trust and continue/, reason: 'trust prompt' },
    { re: /^[\s│|]*›\s*\d+\.\s+\S/m, reason: 'numbered choice' },
    { re: /^\s*enter continue · esc back/m, reason: 'dialog', last: 3 },
  ],
  busy: [
    { re: /esc to interrupt/i, reason: 'esc to interrupt' },
    { re: /^\s*[•◦·]\s*Working\b/m, reason: 'working', generic: true },
  ],
  error: [
    { re: /^■\s(?!.*interrupted)/m, reason: 'error banner', last: 8 },
    { re: /stream error|stream disconnected/i, reason: 'stream error', generic: true },
    { re: /unexpected status \d{3}/i, reason: 'API error', generic: true },
    { re: /You've hit your usage limit/i, reason: 'rate limited', generic: true },
  ],
  ready: [
    { re: /Ask Codex to do anything/, reason: 'prompt' },
    { re: /\? for shortcuts/, reason: 'prompt footer', generic: true },
    { re: /⏎ send/, reason: 'prompt footer' },
    { re: /\d+% context left/, reason: 'prompt footer' },
    { re: /^\s*[›▌](\s|$)/m, reason: 'prompt', generic: true },
  ],
  refine,
};
