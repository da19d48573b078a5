/**
 * The machine as the CLI sees it, through Node's built-in modules. Bun and Deno both
 * implement these `node:` modules, so all three runtimes share this file; only the
 * server differs (node.ts, bun.ts, deno.ts).
 */
import { chmod, mkdir, readFile, stat, writeFile } from 'node:fs/promises';
import { createWriteStream } from 'node:fs';
import { dirname } from 'node:path';
import { createInterface } from 'node:readline';
import os from 'node:os';
import process from 'node:process';
import type { Platform, RuntimeServer } from '../cli/platform.ts';
import { currentRuntime } from './detect.ts';
import { paced } from './paced.ts';

export function nodePlatform(runtime: RuntimeServer): Platform {
  return {
    runtime,
    env: process.env,
    isTTY: Boolean(process.stdout.isTTY),
    stdout: (s) => void process.stdout.write(s),
    stderr: (s) => void process.stderr.write(s),
    homeDir: os.homedir(),
    readTextFile: (path) => readFile(path, 'utf8'),
    async writeSecretFile(path, text) {
      await mkdir(dirname(path), { recursive: true, mode: 0o700 });
      await writeFile(path, text, { mode: 0o600, flag: 'wx' });
      await chmod(path, 0o600);
    },
    async fileMode(path) {
      try {
        return (await stat(path)).mode & 0o777;
      } catch {
        return undefined;
      }
    },
    async openAppend(path) {
      await mkdir(dirname(path), { recursive: true });
      const stream = createWriteStream(path, { flags: 'a', mode: 0o600 });
      await new Promise<void>((resolve, reject) => stream.once('open', () => resolve()).once('error', reject));
      return {
        write: (line) => void stream.write(line),
        close: () => new Promise<void>((resolve) => stream.end(resolve)),
      };
    },
    async *stdinLines() {
      // node:process stdin and node:readline work the same on Bun and Deno.
      const lines = createInterface({ input: process.stdin, crlfDelay: Infinity });
      try {
        yield* currentRuntime() === 'deno' ? paced(lines) : lines;
      } finally {
        lines.close();
      }
    },
    onShutdownSignal(handler) {
      for (const signal of ['SIGINT', 'SIGTERM'] as const) process.on(signal, () => handler(signal));
    },
    exit: (code) => process.exit(code),
  };
}
