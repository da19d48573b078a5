/** The server of the runtime we run on, loading only that runtime's module. */
import type { RuntimeServer } from '../cli/platform.ts';
import { currentRuntime } from './detect.ts';

export async function loadRuntimeServer(): Promise<RuntimeServer> {
  switch (currentRuntime()) {
    case 'bun':
      return (await import('./bun.ts')).bunServer;
    case 'deno':
      return (await import('./deno.ts')).denoServer;
    case 'node':
      return (await import('./node.ts')).nodeServer;
  }
}
