/**
 * The protocol matrix: the shared suite against a real server in a child process, per
 * runtime, from the TypeScript source and from the single-file bundle. One test file per
 * runtime (protocol.{node-bundle,bun,deno}.test.ts), so that vitest runs them side by side.
 * (Node from source runs in-process: protocol.node.test.ts.)
 */
import { protocolSuite } from './protocol-suite.ts';
import { startSubprocess } from './harness.ts';
import type { RuntimeTarget } from '../helpers/runtimes.ts';

export function protocolMatrix(...targets: RuntimeTarget[]): void {
  for (const target of targets) protocolSuite(target.label, startSubprocess(target));
}
