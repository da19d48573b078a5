import type { Hono } from 'hono';
import type { WebSocketKit } from '../runtime/websocket.ts';
import type { CliIO } from './io.ts';

export type { WebSocketKit };

export interface ServeOptions {
  host: string;
  port: number;
  /** PEM text of the certificate and key, for wss:// */
  tls?: { cert: string; key: string };
  maxFrameBytes: number;
  /** The core's send-buffer limit; a runtime with its own (Bun) sets that one above it. */
  sendBufferLimit?: number;
  heartbeatMs: number;
  heartbeatTimeoutMs: number;
}

export interface RunningServer {
  /** The port actually bound (useful with port 0). */
  port: number;
  close(): Promise<void>;
}

/** One runtime's way to serve a Hono app with WebSockets. */
export interface RuntimeServer {
  name: 'node' | 'bun' | 'deno';
  serve(createApp: (kit: WebSocketKit) => Hono, options: ServeOptions): Promise<RunningServer>;
}

/** Everything the CLI needs from the machine. */
export interface Platform extends CliIO {
  runtime: RuntimeServer;
  homeDir: string | undefined;
  readTextFile(path: string): Promise<string>;
  /** Creates or replaces a file with the given mode (and its directory, mode 0700). */
  writeSecretFile(path: string, text: string): Promise<void>;
  /** The file's permission bits, or undefined when it does not exist. */
  fileMode(path: string): Promise<number | undefined>;
  /** Opens a file for appending lines (the audit log, mode 0600). */
  openAppend(path: string): Promise<{ write(line: string): void; close(): Promise<void> }>;
  /** Standard input, line by line (for `serve --source stdin`); ends at end of input. */
  stdinLines(): AsyncIterable<string>;
  onShutdownSignal(handler: (signal: string) => void): void;
  exit(code: number): never;
}
