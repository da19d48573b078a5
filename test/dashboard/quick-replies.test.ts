/** Quick replies from the screens of agent CLIs (the fixtures' waiting screens). */
import { execFileSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { quickReplies } from '../../src/dashboard/app/quick-replies.ts';

const DIR = fileURLToPath(new URL('../fixtures/agents/', import.meta.url));
const screen = (agent: string) => execFileSync('bash', ['-c', `. ${DIR}${agent}.screens.sh; screen_waiting`], { encoding: 'utf8' });

describe('quick replies', () => {
  it('Claude Code: the option numbers, one key each, no Enter', () => {
    expect(quickReplies(screen('claude'), 'claude')).toEqual([
      { label: '1. Yes', text: '1', enter: false },
      { label: "2. Yes, and don't ask again for rm commands in /home/dev/project", text: '2', enter: false },
      { label: '3. No, and tell Claude what to do differently', text: '3', enter: false },
    ]);
  });

  it('Codex: the shortcut shown beside each option ((y), (a), (esc) as ESC)', () => {
    expect(quickReplies(screen('codex'), 'codex').map((r) => [r.text, r.enter])).toEqual([
      ['y', false],
      ['a', false],
      ['\x1b', false],
    ]);
  });

  it('yes/no questions on a line: y or n, then Enter; coloured screens too', () => {
    expect(quickReplies('Allow edits to parser.py? \x1b[1m(Y)es/(N)o\x1b[0m [Yes]: ', 'aider')).toEqual([
      { label: 'Yes', text: 'y', enter: true },
      { label: 'No', text: 'n', enter: true },
    ]);
    expect(quickReplies('Overwrite? [y/N]', 'shell').map((r) => r.text)).toEqual(['y', 'n']);
  });

  it('nothing when the screen shows no choice', () => {
    expect(quickReplies('$ ls\nsrc test\n$ ', 'shell')).toEqual([]);
    expect(quickReplies(' 1. Run /init to create a CLAUDE.md\n\nsome text\n', 'claude')).toEqual([]);
  });
});
