import { createServer, type Server } from 'node:http';
import { freePort } from '../../test/support/ports';

export interface StripeStandIn {
  url: string;
  close(): Promise<void>;
}

/**
 * Stripe for the jobs a payment queues (deactivating its link): every call succeeds at once, so
 * the workers run as they would in production without the benchmark reaching the internet.
 */
export async function startStripeStandIn(): Promise<StripeStandIn> {
  const server = createServer((req, res) => {
    req.resume();
    req.on('end', () => {
      const id = req.url?.split('?')[0].split('/').pop() ?? 'unknown';
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ id, object: 'payment_link', active: false, livemode: false }));
    });
  });
  const port = await freePort();
  await new Promise<void>((resolve) => server.listen(port, '127.0.0.1', resolve));
  return { url: `http://127.0.0.1:${port}`, close: () => closeServer(server) };
}

function closeServer(server: Server): Promise<void> {
  server.closeAllConnections();
  return new Promise((resolve) => server.close(() => resolve()));
}
