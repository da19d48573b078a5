import { describe, expect, it } from 'vitest';
import { detect, identify, parseAgentState, type PaneFacts } from '../../src/tmux/agents/detect.ts';

const facts = (over: Partial<PaneFacts>): PaneFacts => ({
  command: 'bash',
  dead: false,
  deadStatus: null,
  agentState: '',
  screen: '',
  ...over,
});

describe('agent detection', () => {
  it('trusts @agent_state first (with synonyms), then the process, then the screen', () => {
    expect(detect(facts({ agentState: 'busy' }))).toMatchObject({ status: 'busy', reason: '@agent_state' });
    expect(detect(facts({ agentState: 'Idle' }))).toMatchObject({ status: 'ready' });
    expect(detect(facts({ agentState: 'permission' }))).toMatchObject({ status: 'waiting' });
    expect(detect(facts({ agentState: 'nonsense' }))).toMatchObject({ status: 'ready', reason: 'shell prompt' });
    expect(detect(facts({ dead: true, deadStatus: 1, agentState: 'busy' }))).toMatchObject({
      status: 'exited',
      reason: 'process exited (status 1)',
    });
    expect(parseAgentState(' WAITING ')).toBe('waiting');
  });

  it('a shell is ready at its prompt and busy running something else', () => {
    expect(detect(facts({ command: 'bash', screen: '$ ' }))).toEqual({ status: 'ready', agent_type: 'shell', reason: 'shell prompt' });
    expect(detect(facts({ command: 'make', screen: 'cc -o x x.c' }))).toEqual({
      status: 'busy',
      agent_type: 'shell',
      reason: 'running make',
    });
    expect(detect(facts({ command: 'apt', screen: 'Do you want to continue? [Y/n] ' }))).toMatchObject({
      status: 'waiting',
      agent_type: 'shell',
    });
    expect(detect(facts({ command: 'sudo', screen: '[sudo] password for dev: ' }))).toMatchObject({
      status: 'waiting',
      reason: 'password prompt',
    });
  });

  it('identifies agents by command, then screen; an old agent screen above a shell prompt is the shell', () => {
    expect(identify(facts({ command: 'claude' }))).toBe('claude');
    expect(identify(facts({ command: 'codex' }))).toBe('codex');
    expect(identify(facts({ command: 'node', screen: '│ >_ OpenAI Codex (v0.46.0) │\n› Ask Codex to do anything' }))).toBe('codex');
    expect(identify(facts({ command: 'python3', screen: 'Aider v0.86.1\nMain model: gpt-4o\n> ' }))).toBe('aider');
    expect(identify(facts({ command: 'bash', screen: '✻ Welcome to Claude Code!\n> \n$ ' }))).toBe('shell');
    expect(identify(facts({ command: 'node', screen: 'nothing known' }), 'gemini')).toBe('gemini');
  });

  it('an identified agent with no screen yet is unknown', () => {
    expect(detect(facts({ command: 'claude', screen: null }))).toMatchObject({ status: 'unknown', agent_type: 'claude' });
  });

  it('aider: an answered question in scrollback is not waiting', () => {
    const screen = 'Aider v0.86.1\nCreate new file? (Y)es/(N)o [Yes]: y\nApplied edit to x.py\n> ';
    expect(detect(facts({ command: 'aider', screen }))).toMatchObject({ status: 'ready', agent_type: 'aider' });
    expect(detect(facts({ command: 'aider', screen: screen + "\nRun shell command? (Y)es/(N)o/(D)on't ask again [Yes]: " }))).toMatchObject(
      {
        status: 'waiting',
      },
    );
  });

  it('claude: busy beats the prompt box; a waiting dialog beats busy', () => {
    const box = '╭────╮\n│ >  │\n╰────╯\n  ? for shortcuts';
    expect(detect(facts({ command: 'claude', screen: box }))).toMatchObject({ status: 'ready' });
    expect(detect(facts({ command: 'claude', screen: `✶ Cogitating… (3s · esc to interrupt)\n\n${box}` }))).toMatchObject({
      status: 'busy',
    });
    expect(detect(facts({ command: 'claude', screen: 'Do you want to proceed?\n❯ 1. Yes\n  2. No' }))).toMatchObject({ status: 'waiting' });
    expect(detect(facts({ command: 'claude', screen: `  ⎿  API Error (Connection error.)\n${box}` }))).toMatchObject({ status: 'error' });
    expect(detect(facts({ command: 'claude', screen: `Invalid API key · Please run /login\n${box}` }))).toMatchObject({ status: 'error' });
  });
});

describe('identification without a banner', () => {
  it("two of an agent's status patterns identify it; one does not", () => {
    const claudeError =
      'API Error: 500 {"type":"error","error":{"type":"api_error","message":"Internal server error"}}\n╭──╮\n│ > │\n╰──╯\n  ? for shortcuts';
    expect(detect(facts({ command: 'python3', screen: claudeError }))).toMatchObject({ status: 'error', agent_type: 'claude' });
    expect(identify(facts({ command: 'tail', screen: 'GET /x 500 API Error in upstream' }))).toBe('shell');
  });
});

describe('a shell pane: exited agents, shells, unknown programs', () => {
  it("an agent's screen left above the shell prompt is that agent, exited; other programs since then end it", () => {
    const quit = 'lab:p$ claude\n● Done.\n❯ /exit\n  ⎿  Bye!\nlab:p$ ';
    expect(detect(facts({ command: 'bash', screen: quit, cursor: [7, 4] }))).toMatchObject({ status: 'exited', agent_type: 'claude' });
    const later = `${quit}cat notes.md\nClaude Code and Codex notes\nlab:p$ `;
    expect(detect(facts({ command: 'bash', screen: later, cursor: [7, 7] }))).toMatchObject({ status: 'ready', agent_type: 'shell' });
    // A full-screen agent leaves only its command line behind.
    expect(detect(facts({ command: 'bash', screen: '$ opencode\n$ ', cursor: [2, 1] }))).toMatchObject({
      status: 'exited',
      agent_type: 'opencode',
    });
    expect(detect(facts({ command: 'bash', screen: '$ npx @openai/codex\n$ ', cursor: [2, 1] }))).toMatchObject({
      status: 'exited',
      agent_type: 'codex',
    });
  });

  it('a program we do not know in the alternate screen is unknown; in the normal screen it is a busy shell', () => {
    expect(detect(facts({ command: 'vim', alternate: true, screen: '~\n~\n"x.txt" 3L' }))).toMatchObject({
      status: 'unknown',
      agent_type: 'shell',
    });
    expect(detect(facts({ command: 'make', screen: 'cc -c x.c' }))).toMatchObject({ status: 'busy', agent_type: 'shell' });
    // A shell script runs its commands as its children, in the same process group.
    expect(detect(facts({ command: 'bash', screen: 'building…', children: ['npm'] }))).toMatchObject({
      status: 'busy',
      reason: 'running npm',
    });
  });

  it('identifies an agent behind a generic runtime by its child process or its title', () => {
    expect(identify(facts({ command: 'node', children: ['codex'], screen: '' }))).toBe('codex');
    expect(identify(facts({ command: 'node', title: 'Qwen - project', screen: '' }))).toBe('qwen');
    expect(identify(facts({ command: 'node', title: '◇  Ready (project)', screen: '' }))).toBe('gemini');
  });
});

describe('the time since output', () => {
  it('a spinner in the title counts while the pane prints, not once it has been still for a while', () => {
    const screen = '› Explain\n• This project is a tiny demo.\n  Worked for 2s\n› Ask Codex to do anything\n  ? for shortcuts';
    const f = facts({ command: 'node', children: ['codex'], title: '⠸ Task | project', alternate: true, screen });
    expect(detect({ ...f, secondsSinceOutput: 0.3 })).toMatchObject({ status: 'busy', reason: 'title spinner' });
    expect(detect({ ...f, secondsSinceOutput: 60 })).toMatchObject({ status: 'ready', agent_type: 'codex' });
  });
});

describe('start-up', () => {
  it('Qwen Code initializing under a usable input box is ready, not busy', () => {
    const screen =
      '  >_ Qwen Code (v0.15.10)\n  Tips: Type / to open the command popup\n────\n>   Type your message or @path/to/file\n────\n  ⠋ Initializing...';
    expect(detect(facts({ command: 'node', title: 'Qwen - project', screen, cursor: [0, 15] }))).toMatchObject({
      status: 'ready',
      agent_type: 'qwen',
    });
    const turn = screen.replace('  ⠋ Initializing...', '').replace('────\n>', '  ⠋ Thinking... (0s · esc to cancel)\n────\n>');
    expect(detect(facts({ command: 'node', title: 'Qwen - project', screen: turn }))).toMatchObject({ status: 'busy', agent_type: 'qwen' });
  });
});

describe('stale titles', () => {
  it('a title names an agent only behind a runtime: after an agent quits, the next program is not it', () => {
    expect(identify(facts({ command: 'node', title: '✳ Claude Code', screen: '' }))).toBe('claude');
    expect(identify(facts({ command: 'make', title: '✳ Claude Code', screen: 'cc -c x.c' }))).toBe('shell');
    expect(detect(facts({ command: 'make', title: '✳ Claude Code', screen: 'cc -c x.c' }))).toMatchObject({
      status: 'busy',
      agent_type: 'shell',
    });
  });
});

describe('exited, from memory and screen', () => {
  it('a command run after the agent ends its exited; an alias that started it does not', () => {
    const agentScreen = '● Done.\n❯ /exit\n  ⎿  Bye!\n  ? for shortcuts';
    const viaAlias = `lab:p$ cc\n${agentScreen}\nlab:p$ `;
    expect(detect(facts({ command: 'bash', screen: viaAlias }), undefined, { lastAgent: 'claude' })).toMatchObject({
      status: 'exited',
      agent_type: 'claude',
    });
    const thenLs = `${viaAlias}ls\nREADME.md\nlab:p$ `;
    expect(detect(facts({ command: 'bash', screen: thenLs }), undefined, { lastAgent: 'claude' })).toMatchObject({
      status: 'ready',
      agent_type: 'shell',
    });
    // Nothing of it in view (cleared): the tracker's memory decides.
    expect(detect(facts({ command: 'bash', screen: 'lab:p$ ' }), undefined, { lastAgent: 'codex' })).toMatchObject({
      status: 'exited',
      agent_type: 'codex',
    });
  });
});
