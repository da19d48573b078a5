import { protocolSuite } from './protocol-suite.ts';
import { startInProcess } from './harness.ts';

protocolSuite('node (in-process)', startInProcess);
