/** The known agents, one table file each, in the order ties are broken. */
import { aider } from './aider.ts';
import { claude } from './claude.ts';
import { codex } from './codex.ts';
import { gemini } from './gemini.ts';
import type { AgentProfile } from './types.ts';

export const AGENTS: readonly AgentProfile[] = [claude, codex, gemini, aider];
