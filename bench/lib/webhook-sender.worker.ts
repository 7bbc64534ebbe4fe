import { connect, type Socket } from 'node:net';
import { parentPort } from 'node:worker_threads';
import { signStripePayload } from '../../src/stripe-emulator/webhooks/webhook-signature';

/**
 * One burst of deliveries: the raw event bodies, POSTed by `clients` keep-alive connections.
 * With several endpoint URLs (instances of the service behind one address), client `c` keeps
 * its connection to `urls[c % urls.length]`, as a balancer spreads keep-alive connections.
 */
export interface WebhookBurst {
  urls: string[];
  secret: string;
  clients: number;
  bodies: string[];
}

export interface BurstResult {
  seconds: number;
  /** Milliseconds from sending to the whole answer, by body. */
  latencies: number[];
  /** The `outcome` each answer named, or why there was none, by body. */
  outcomes: string[];
}

/**
 * Plays Stripe in its own thread, so the app's event loop serves webhooks and nothing else: each
 * client sends its next event when the last one was answered, signing it as it leaves (Stripe's
 * 5-minute tolerance). The HTTP/1.1 is written and read by hand over keep-alive sockets, as load
 * generators do, so that the sender takes as little of the machine's CPU as it can.
 */
async function send(burst: WebhookBurst): Promise<BurstResult> {
  const targets = burst.urls.map((url) => new URL(url));
  const latencies = new Array<number>(burst.bodies.length);
  const outcomes = new Array<string>(burst.bodies.length);
  let next = 0;
  const started = process.hrtime.bigint();
  await Promise.all(
    Array.from({ length: burst.clients }, async (_, client) => {
      const connection = new Connection(targets[client % targets.length]);
      try {
        while (next < burst.bodies.length) {
          const i = next++;
          const sent = process.hrtime.bigint();
          outcomes[i] = await connection
            .post(burst.bodies[i], signStripePayload(burst.bodies[i], burst.secret))
            .catch((error: Error) => `error: ${error.message}`);
          latencies[i] = Number(process.hrtime.bigint() - sent) / 1e6;
        }
      } finally {
        connection.close();
      }
    }),
  );
  return { seconds: Number(process.hrtime.bigint() - started) / 1e9, latencies, outcomes };
}

/** One keep-alive connection with one request in flight at a time. */
class Connection {
  private socket?: Socket;
  private received: Buffer = Buffer.alloc(0);
  private waiting?: { resolve: (outcome: string) => void; reject: (error: Error) => void };

  constructor(private readonly target: URL) {}

  post(body: string, signature: string): Promise<string> {
    const socket = this.socket ?? this.open();
    return new Promise((resolve, reject) => {
      this.waiting = { resolve, reject };
      socket.write(
        `POST ${this.target.pathname} HTTP/1.1\r\nHost: ${this.target.host}\r\n` +
          `Content-Type: application/json\r\nContent-Length: ${Buffer.byteLength(body)}\r\n` +
          `Stripe-Signature: ${signature}\r\nConnection: keep-alive\r\n\r\n${body}`,
      );
    });
  }

  close(): void {
    this.socket?.destroy();
  }

  private open(): Socket {
    const socket = connect(Number(this.target.port), this.target.hostname);
    socket.setNoDelay(true);
    socket.on('data', (chunk: Buffer) => this.read(chunk));
    const fail = (error: Error) => {
      this.socket = undefined;
      this.received = Buffer.alloc(0);
      this.waiting?.reject(error);
      this.waiting = undefined;
    };
    socket.on('error', fail);
    socket.on('close', () => fail(new Error('connection closed')));
    this.socket = socket;
    return socket;
  }

  /** One whole answer: a status line, headers with a Content-Length, then that many bytes. */
  private read(chunk: Buffer): void {
    this.received = this.received.length ? Buffer.concat([this.received, chunk]) : chunk;
    const headEnd = this.received.indexOf('\r\n\r\n');
    if (headEnd < 0) return;
    const head = this.received.subarray(0, headEnd).toString('latin1');
    const length = Number(/\r\ncontent-length: *(\d+)/i.exec(head)?.[1] ?? NaN);
    if (Number.isNaN(length)) {
      this.waiting?.reject(new Error(`an answer without Content-Length: ${head.slice(0, 80)}`));
      return this.close();
    }
    if (this.received.length < headEnd + 4 + length) return;
    const body = this.received.subarray(headEnd + 4, headEnd + 4 + length).toString();
    this.received = this.received.subarray(headEnd + 4 + length);
    const status = head.slice(9, 12);
    const waiting = this.waiting;
    this.waiting = undefined;
    if (status !== '200') waiting?.resolve(`HTTP ${status}: ${body.slice(0, 200)}`);
    else waiting?.resolve((JSON.parse(body) as { outcome: string }).outcome);
  }
}

parentPort?.on('message', (burst: WebhookBurst) => {
  void send(burst).then((result) => parentPort?.postMessage(result));
});
