/**
 * A test WebSocket client (the `ws` package) that queues what it receives, so a test can
 * wait for the next message of a kind with a timeout instead of sleeping.
 */
import WebSocket from 'ws';

export type Message = Record<string, any> & { type: string };

export class TestClient {
  readonly messages: Message[] = [];
  private cursor = 0;
  private waiters: (() => void)[] = [];
  readonly closed: Promise<{ code: number; reason: string }>;
  readonly opened: Promise<void>;
  closeCode: number | undefined;

  constructor(readonly ws: WebSocket) {
    ws.on('message', (data) => {
      this.messages.push(JSON.parse(data.toString()));
      this.wake();
    });
    this.opened = new Promise((resolve, reject) => {
      ws.once('open', () => resolve());
      ws.once('unexpected-response', (_req, res) => reject(new Error(`HTTP ${res.statusCode}`)));
      ws.once('error', reject);
    });
    this.closed = new Promise((resolve) => {
      ws.once('close', (code, reason) => {
        this.closeCode = code;
        this.wake();
        resolve({ code, reason: reason.toString() });
      });
    });
    this.opened.catch(() => {});
  }

  static async connect(url: string, options: WebSocket.ClientOptions = {}): Promise<TestClient> {
    const client = new TestClient(new WebSocket(url, options));
    await client.opened;
    return client;
  }

  /** Connects, reads connection.established, authenticates. */
  static async authed(url: string, token: string): Promise<TestClient> {
    const client = await TestClient.connect(url);
    await client.next('connection.established');
    client.send({ action: 'auth', token });
    const reply = await client.next((m) => m.type === 'auth.response' || m.type === 'error');
    if (reply.type !== 'auth.response') throw new Error(`auth failed: ${JSON.stringify(reply)}`);
    return client;
  }

  send(message: unknown): void {
    this.ws.send(typeof message === 'string' ? message : JSON.stringify(message));
  }

  /** The next message (after those already taken) that matches; earlier ones are skipped. */
  private recent(): string {
    return JSON.stringify(this.messages.slice(-3)).slice(0, 400);
  }

  async next(match: string | ((m: Message) => boolean), timeoutMs = 5000): Promise<Message> {
    const test = typeof match === 'string' ? (m: Message) => m.type === match : match;
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      while (this.cursor < this.messages.length) {
        const message = this.messages[this.cursor++]!;
        if (test(message)) return message;
      }
      if (this.closeCode !== undefined) throw new Error(`closed (${this.closeCode}) while waiting; got ${this.recent()}`);
      const left = deadline - Date.now();
      if (left <= 0) throw new Error(`timed out waiting; last messages: ${this.recent()}`);
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, left);
        this.waiters.push(() => {
          clearTimeout(timer);
          resolve();
        });
      });
    }
  }

  /** Waits until `count` messages matching have arrived in total (from the start). */
  async collect(match: (m: Message) => boolean, count: number, timeoutMs = 5000): Promise<Message[]> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const found = this.messages.filter(match);
      if (found.length >= count) return found;
      if (this.closeCode !== undefined) throw new Error(`closed (${this.closeCode}) with ${found.length}/${count}`);
      if (Date.now() > deadline) throw new Error(`timed out with ${found.length}/${count}`);
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, deadline - Date.now());
        this.waiters.push(() => {
          clearTimeout(timer);
          resolve();
        });
      });
    }
  }

  /** Sends a message and waits for the reply carrying the same id. */
  async request(message: Record<string, unknown>, timeoutMs = 5000): Promise<Message> {
    const id = message.id ?? `r-${Math.random().toString(36).slice(2)}`;
    this.send({ ...message, id });
    return this.next((m) => m.id === id, timeoutMs);
  }

  async close(): Promise<void> {
    if (this.closeCode === undefined) this.ws.close();
    await this.closed;
  }

  private wake(): void {
    const waiters = this.waiters;
    this.waiters = [];
    for (const wake of waiters) wake();
  }
}
