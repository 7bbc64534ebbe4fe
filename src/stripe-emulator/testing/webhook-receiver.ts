import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface ReceivedWebhook {
  body: string;
  signature: string | undefined;
  contentType: string | undefined;
  at: number;
}

/**
 * A local webhook endpoint for tests: records every POST's raw body and Stripe-Signature and
 * answers with the status `respond` picks (200 by default), given how many came before.
 */
export class WebhookReceiver {
  readonly received: ReceivedWebhook[] = [];
  respond: (index: number, webhook: ReceivedWebhook) => number = () => 200;
  private readonly server: Server = createServer((req, res) => {
    void readAll(req).then((body) => {
      const webhook: ReceivedWebhook = {
        body,
        signature: req.headers['stripe-signature'] as string | undefined,
        contentType: req.headers['content-type'],
        at: Date.now(),
      };
      const status = this.respond(this.received.length, webhook);
      this.received.push(webhook);
      res.writeHead(status, { 'Content-Type': 'application/json' }).end('{"received":true}');
    });
  });
  private port = 0;

  private constructor() {}

  static async start(): Promise<WebhookReceiver> {
    const receiver = new WebhookReceiver();
    await new Promise<void>((resolve) => receiver.server.listen(0, '127.0.0.1', resolve));
    receiver.port = (receiver.server.address() as AddressInfo).port;
    return receiver;
  }

  get url(): string {
    return `http://127.0.0.1:${this.port}/webhooks/stripe`;
  }

  /** Parsed bodies, in arrival order. */
  events(): Array<{ id: string; type: string; data: { object: Record<string, unknown> } }> {
    return this.received.map((webhook) => JSON.parse(webhook.body));
  }

  close(): Promise<void> {
    this.server.closeAllConnections();
    return new Promise((resolve) => this.server.close(() => resolve()));
  }
}

function readAll(req: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    req.on('error', reject);
  });
}
