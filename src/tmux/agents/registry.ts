/** The known agents, one table file each, in the order ties are broken. */
import { aider } from './aider.ts';
import { claude } from './claude.ts';
import { codex } from './codex.ts';
import { copilot } from './copilot.ts';
import { gemini } from './gemini.ts';
import { opencode } from './opencode.ts';
import { qwen } from './qwen.ts';
import type { AgentProfile } from './types.ts';

// Qwen Code before Gemini CLI: it is a fork that shows much of the same text.
export const AGENTS: readonly AgentProfile[] = [claude, codex, qwen, gemini, opencode, copilot, aider];
