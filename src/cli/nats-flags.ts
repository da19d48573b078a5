/** The NATS flags of `serve` and `agent` (docs/scaling.md). No imports of the NATS client here. */
import { BUS_DEFAULTS } from '../bus/defaults.ts';
import type { FlagSpec } from './args.ts';

export const NATS_FLAGS: FlagSpec[] = [
  { name: 'nats', type: 'string', placeholder: 'URL', help: 'NATS server(s) with JetStream, e.g. nats://127.0.0.1:4222 (comma-separated)' },
  { name: 'nats-creds', type: 'string', placeholder: 'FILE', help: 'NATS credentials file (JWT + NKey seed)' },
  { name: 'nats-user', type: 'string', placeholder: 'USER', help: 'NATS user (with --nats-password)' },
  { name: 'nats-password', type: 'string', placeholder: 'PASS', help: 'NATS password' },
  { name: 'nats-token', type: 'string', placeholder: 'TOKEN', help: 'NATS token' },
  { name: 'nats-tls-ca', type: 'string', placeholder: 'FILE', help: 'CA certificate (PEM) to verify the NATS server; turns TLS on' },
  { name: 'nats-prefix', type: 'string', placeholder: 'PREFIX', help: `subject prefix (default ${BUS_DEFAULTS.prefix})` },
  { name: 'nats-stream', type: 'string', placeholder: 'NAME', help: `JetStream stream name (default ${BUS_DEFAULTS.stream})` },
  { name: 'nats-queue', type: 'string', placeholder: 'N', help: `events held while NATS is away (default ${BUS_DEFAULTS.queueSize})` },
];
