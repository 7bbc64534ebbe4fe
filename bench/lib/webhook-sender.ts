import path from 'node:path';
import { Worker } from 'node:worker_threads';
import type { BurstResult, WebhookBurst } from './webhook-sender.worker';

export type { BurstResult } from './webhook-sender.worker';

/** Stripe's side of the webhook benchmarks: signs and POSTs bodies, `clients` at a time. */
export interface WebhookSender {
  /** POSTs every body once, over the endpoints `urls` (see WebhookBurst), and times each answer. */
  send(urls: string[], bodies: string[]): Promise<BurstResult>;
  close(): Promise<void>;
}

/** In a worker thread (webhook-sender.worker.ts), off the event loop of whatever it measures. */
export function startWebhookSender(options: { secret: string; clients: number }): WebhookSender {
  const worker = new Worker(path.join(__dirname, 'webhook-sender.worker.js'));
  return {
    send: (urls, bodies) =>
      new Promise((resolve, reject) => {
        const burst: WebhookBurst = {
          urls,
          secret: options.secret,
          clients: options.clients,
          bodies,
        };
        const settle = () => {
          worker.off('message', onMessage);
          worker.off('error', onError);
        };
        const onMessage = (result: BurstResult) => (settle(), resolve(result));
        const onError = (error: Error) => (settle(), reject(error));
        worker.on('message', onMessage);
        worker.on('error', onError);
        worker.postMessage(burst);
      }),
    close: async () => {
      await worker.terminate();
    },
  };
}
