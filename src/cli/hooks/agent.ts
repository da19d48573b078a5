/** What each agent's module tells the `hooks` command. */
import type { Edit, InstallState } from './shared.ts';

/** Where the agent looks for its files: the environment and the home folder. */
export interface HookEnv {
  env: Record<string, string | undefined>;
  home: string;
}

export interface AgentHooks {
  /** The name on the command line. */
  name: string;
  /** What people call it. */
  label: string;
  /** The config file the agent reads its hooks from (honouring the agent's own variables). */
  configPath(e: HookEnv): string;
  /** The states its hooks report, and the ones they cannot (for `status` and the docs). */
  reports: string;
  status(text: string | null, path: string): InstallState;
  /** New text with our hooks (null: nothing to change). */
  install(text: string | null, path: string): Edit | null;
  /** New text without our hooks (null: none there). */
  uninstall(text: string | null, path: string): Edit | null;
}
