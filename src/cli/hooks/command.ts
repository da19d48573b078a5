/**
 * `tmux-monitor hooks install|uninstall|status [--dry-run] <agent…>`: writes each agent's own
 * hook configuration so that the agent sets its pane's `@agent_state` itself (see
 * docs/agent-hooks.md). Says exactly what it wrote, and where the backup is.
 */
import { helpText, parseFlags, UsageError, type FlagSpec } from '../args.ts';
import type { CliIO } from '../io.ts';
import type { AgentHooks, HookEnv } from './agent.ts';
import { claudeHooks } from './claude.ts';
import { codexHooks } from './codex.ts';
import { backupConfig, readConfig, writeConfig } from './files.ts';
import { geminiHooks } from './gemini.ts';
import { qwenHooks } from './qwen.ts';
import { ConfigError, stateCommand } from './shared.ts';

export const AGENTS: readonly AgentHooks[] = [claudeHooks, codexHooks, geminiHooks, qwenHooks];

const FLAGS: FlagSpec[] = [
  { name: 'dry-run', alias: 'n', type: 'boolean', help: 'print what would be written, change nothing' },
  { name: 'help', alias: 'h', type: 'boolean', help: 'show this help' },
];

export const hooksHelp = helpText(
  'tmux-monitor hooks install|uninstall|status [--dry-run] <agent…|all>',
  `Make agent CLIs report their own status: their hooks run
  ${stateCommand('busy')}
in the agent's tmux pane (only inside tmux; never fails the agent's turn).
Agents: ${AGENTS.map((a) => `${a.name} (${a.label})`).join(', ')}.
Each changed file is backed up first (<file>.tmux-monitor.bak); only our entries are added or removed.`,
  FLAGS,
);

type Action = 'install' | 'uninstall' | 'status';

export async function hooksCommand(argv: string[], io: CliIO, where: HookEnv): Promise<number> {
  const words = argv.filter((a) => !a.startsWith('-'));
  const flags = parseFlags(
    argv.filter((a) => a.startsWith('-')),
    FLAGS,
  );
  if (flags.help) {
    io.stdout(hooksHelp);
    return 0;
  }
  const [action, ...names] = words;
  if (action !== 'install' && action !== 'uninstall' && action !== 'status') {
    throw new UsageError(action === undefined ? 'hooks needs install, uninstall or status' : `unknown hooks action "${action}"`);
  }
  const agents = pickAgents(names, action);
  let failed = 0;
  for (const agent of agents) {
    try {
      await runOne(agent, action, flags['dry-run'] === true, io, where);
    } catch (e) {
      failed++;
      const message = e instanceof ConfigError ? e.message : `${agent.configPath(where)}: ${(e as Error).message}`;
      io.stderr(`${agent.name}: ${message}\n`);
    }
  }
  return failed > 0 ? 1 : 0;
}

function pickAgents(names: string[], action: Action): AgentHooks[] {
  if (names.length === 0) {
    if (action === 'status') return [...AGENTS];
    throw new UsageError(`name the agents (${AGENTS.map((a) => a.name).join(', ')}, or all)`);
  }
  if (names.includes('all')) return [...AGENTS];
  return names.map((n) => {
    const agent = AGENTS.find((a) => a.name === n);
    if (!agent) throw new UsageError(`unknown agent "${n}" (known: ${AGENTS.map((a) => a.name).join(', ')})`);
    return agent;
  });
}

async function runOne(agent: AgentHooks, action: Action, dryRun: boolean, io: CliIO, where: HookEnv): Promise<void> {
  const path = agent.configPath(where);
  const file = await readConfig(path);
  if (action === 'status') {
    const state = agent.status(file.text, path);
    io.stdout(`${agent.name}: ${state} (${path}${file.text === null ? ', no such file' : ''})\n`);
    io.stdout(`  its hooks report: ${agent.reports}\n`);
    return;
  }
  const edit = action === 'install' ? agent.install(file.text, path) : agent.uninstall(file.text, path);
  if (!edit) {
    io.stdout(`${agent.name}: ${action === 'install' ? 'already installed' : 'not installed'} in ${path}; nothing to change\n`);
    return;
  }
  const verb = action === 'install' ? 'install into' : 'remove from';
  if (dryRun) {
    io.stdout(`${agent.name}: would ${verb} ${path} (dry run; the rest of the file stays as it is):\n`);
  } else {
    const backup = await backupConfig(file);
    await writeConfig(file, edit.text);
    const done = action === 'install' ? 'installed into' : 'removed from';
    io.stdout(`${agent.name}: ${done} ${path}${backup ? ` (backup: ${backup})` : ' (new file)'}:\n`);
  }
  for (const line of edit.lines) io.stdout(`  ${line}\n`);
}
