/**
 * Entry point of the CLI and of the single-file bundle: picks the runtime it is running
 * on, then hands the arguments to the CLI.
 */
import process from 'node:process';
import { runCli } from '../cli/main.ts';
import type { RuntimeServer } from '../cli/platform.ts';
import { nodePlatform } from './node-platform.ts';

async function pickRuntime(): Promise<RuntimeServer> {
  const g = globalThis as { Bun?: unknown; Deno?: unknown };
  if (g.Bun !== undefined) return (await import('./bun.ts')).bunServer;
  if (g.Deno !== undefined) return (await import('./deno.ts')).denoServer;
  return (await import('./node.ts')).nodeServer;
}

const platform = nodePlatform(await pickRuntime());
const code = await runCli(process.argv.slice(2), platform);
if (code !== 0) process.exit(code);
