/**
 * Entry point of the CLI and of the single-file bundle: picks the runtime it is running
 * on, then hands the arguments to the CLI.
 */
import process from 'node:process';
import { runCli } from '../cli/main.ts';
import { nodePlatform } from './node-platform.ts';
import { loadRuntimeServer } from './server.ts';

const platform = nodePlatform(await loadRuntimeServer());
const code = await runCli(process.argv.slice(2), platform);
if (code !== 0) process.exit(code);
