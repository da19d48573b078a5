/** The `tmux-monitor` program: dispatches to its commands. */
import { UsageError } from './args.ts';
import type { Platform } from './platform.ts';
import { serveCommand } from './serve.ts';
import { tokenCommand } from './token.ts';

const USAGE = `Usage: tmux-monitor <command> [options]

Commands:
  serve    watch tmux and stream its changes over WebSocket (default)
  token    print a signed access token
  tail     print the event stream of a running server
  agent    publish this machine's tmux to a NATS bus (see docs/scaling.md)
  hooks    install agents' own hooks that report their status (install|uninstall|status)
  notify-test URL   send a sample notification (as serve --notify would)

Run "tmux-monitor <command> --help" for a command's options.
`;

export async function runCli(argv: string[], platform: Platform): Promise<number> {
  const [command = 'serve', ...rest] = argv;
  try {
    switch (command) {
      case 'serve':
        return await serveCommand(rest, platform);
      case 'token':
        return await tokenCommand(rest, platform);
      case 'tail': {
        const { tailCommand } = await import('./tail.ts');
        return await tailCommand(rest, platform);
      }
      case 'agent': {
        const { agentCommand } = await import('./agent.ts');
        return await agentCommand(rest, platform);
      }
      case 'hooks': {
        const { hooksCommand } = await import('./hooks/command.ts');
        if (!platform.homeDir) throw new Error('cannot find the home folder (HOME is not set)');
        return await hooksCommand(rest, platform, { env: platform.env, home: platform.homeDir });
      }
      case 'notify-test': {
        const { notifyTestCommand } = await import('./notify-test.ts');
        return await notifyTestCommand(rest, platform);
      }
      case 'help':
      case '--help':
      case '-h':
        platform.stdout(USAGE);
        return 0;
      default:
        if (command.startsWith('-')) return await serveCommand(argv, platform);
        throw new UsageError(`unknown command "${command}"`);
    }
  } catch (error) {
    if (error instanceof UsageError) {
      platform.stderr(`tmux-monitor: ${error.message} (see --help)\n`);
      return 2;
    }
    platform.stderr(`tmux-monitor: ${error instanceof Error ? error.message : String(error)}\n`);
    return 1;
  }
}
