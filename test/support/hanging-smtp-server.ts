import { createServer, type AddressInfo, type Server, type Socket } from 'node:net';

/**
 * `silent`: accepts the connection and never says a word, not even the greeting.
 * `stalls-mid-transaction`: greets, answers EHLO, then never answers again (MAIL FROM hangs).
 */
export type HangMode = 'silent' | 'stalls-mid-transaction';

export interface HungConnection {
  openedAt: number;
  /** When the client gave up (or the server was closed); unset while it still hangs. */
  closedAt?: number;
}

/** A mail server that hangs, on a real TCP port on 127.0.0.1 (node:net, no SMTP library). */
export class HangingSmtpServer {
  readonly connections: HungConnection[] = [];
  private readonly sockets = new Set<Socket>();

  private constructor(
    private readonly server: Server,
    readonly mode: HangMode,
  ) {}

  static async start(mode: HangMode): Promise<HangingSmtpServer> {
    const server = createServer();
    const hanging = new HangingSmtpServer(server, mode);
    server.on('connection', (socket) => hanging.accept(socket));
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(0, '127.0.0.1', () => resolve());
    });
    return hanging;
  }

  get port(): number {
    return (this.server.address() as AddressInfo).port;
  }

  get url(): string {
    return `smtp://127.0.0.1:${this.port}`;
  }

  /** Connections the client has not given up on yet. */
  get hanging(): HungConnection[] {
    return this.connections.filter((connection) => connection.closedAt === undefined);
  }

  /** Resolves once a client has opened `count` connections; rejects after `timeoutMs`. */
  async waitForConnections(count: number, timeoutMs = 10_000): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    while (this.connections.length < count) {
      if (Date.now() > deadline)
        throw new Error(`Hanging SMTP server: ${this.connections.length} of ${count} connections`);
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
  }

  /** Stops listening and drops every connection, as a mail server that crashes or restarts does. */
  async close(): Promise<void> {
    const closed = new Promise<void>((resolve) => this.server.close(() => resolve()));
    for (const socket of this.sockets) socket.destroy();
    await closed;
  }

  private accept(socket: Socket): void {
    const connection: HungConnection = { openedAt: Date.now() };
    this.connections.push(connection);
    this.sockets.add(socket);
    socket.on('error', () => undefined);
    socket.on('close', () => {
      connection.closedAt = Date.now();
      this.sockets.delete(socket);
    });
    if (this.mode === 'silent') return;
    socket.write('220 hang.example ESMTP\r\n');
    let buffered = '';
    socket.on('data', (chunk: Buffer) => {
      buffered += chunk.toString('latin1');
      for (let end = buffered.indexOf('\r\n'); end >= 0; end = buffered.indexOf('\r\n')) {
        const line = buffered.slice(0, end);
        buffered = buffered.slice(end + 2);
        if (/^(EHLO|HELO) /i.test(line)) socket.write('250 hang.example\r\n');
        // Anything after the greeting and EHLO goes unanswered.
      }
    });
  }
}
