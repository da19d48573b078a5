import { protocolMatrix } from './matrix.ts';
import { TARGETS } from '../helpers/runtimes.ts';

protocolMatrix(TARGETS.nodeBundle);
