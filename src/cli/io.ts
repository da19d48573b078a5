/**
 * What a CLI command may touch, provided by the runtime (src/runtime/platform.ts), so that
 * the commands themselves use no runtime globals.
 */
export interface CliIO {
  env: Record<string, string | undefined>;
  stdout: (s: string) => void;
  stderr: (s: string) => void;
  isTTY: boolean;
  WebSocket?: typeof WebSocket;
  signal?: AbortSignal;
}
