/**
 * The shared protocol suite against a real server in a child process, on every runtime,
 * from the TypeScript source and from the single-file bundle. (Node from source runs
 * in-process: protocol.node.test.ts.)
 */
import { protocolSuite } from './protocol-suite.ts';
import { startSubprocess } from './harness.ts';
import { TARGETS } from '../helpers/runtimes.ts';

for (const target of Object.values(TARGETS)) protocolSuite(target.label, startSubprocess(target));
