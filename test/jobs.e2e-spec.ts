import { DataSource } from 'typeorm';
import { JobsService } from '../src/jobs/jobs.service';
import type { StripeEmulator } from '../src/stripe-emulator';
import { sdkClient } from '../src/stripe-emulator/testing/sdk-client';
import type { TestApp } from './support/app';
import { eventually } from './support/eventually';
import { factories, TestClub } from './support/factories';
import { withStripeApp } from './support/stripe';

const DEACTIVATE_QUEUE = 'payment-link.deactivate';

interface JobRow {
  link: string;
  state: string;
  output: { message?: string } | null;
  started_on: Date;
}

describe('job workers', () => {
  let stripe: StripeEmulator;
  let t: TestApp;
  let club: TestClub;

  withStripeApp((made) => ({ stripe, t, club } = made));

  const mintedLink = async (): Promise<string> => {
    const order = await factories(t.db).order(club.tenant.id);
    const minted = await t
      .as(club.apiKey)
      .post(`/admin/orders/${order.id}/payment-link`)
      .expect(201);
    return (minted.body as { stripe_payment_link_id: string }).stripe_payment_link_id;
  };

  it('takes a burst of jobs in one fetch; a job that fails is retried alone while the others complete', async () => {
    const links = [await mintedLink(), await mintedLink(), await mintedLink(), await mintedLink()];
    const unknownAtStripe = 'plink_never_minted';
    const jobs = t.app.get(JobsService);

    // Committed together, so the worker's next poll finds all five at once.
    await t.app.get(DataSource).transaction((manager) =>
      jobs.batched(manager, async () => {
        for (const link of [...links, unknownAtStripe]) {
          await jobs.send(
            DEACTIVATE_QUEUE,
            { tenantId: club.tenant.id, stripePaymentLinkId: link },
            { manager },
          );
        }
      }),
    );

    const rows = await eventually(async () => {
      const found = (await t.db.query(
        `SELECT data->>'stripePaymentLinkId' AS link, state, output, started_on
           FROM pgboss.job WHERE name = $1 AND data->>'tenantId' = $2`,
        [DEACTIVATE_QUEUE, String(club.tenant.id)],
      )) as JobRow[];
      expect(found).toHaveLength(5);
      expect(found.filter((row) => row.state === 'completed')).toHaveLength(4);
      return found;
    });

    const failed = rows.find((row) => row.link === unknownAtStripe)!;
    expect(failed.state).toBe('retry');
    expect(failed.output?.message).toMatch(/payment link/i);
    const completed = rows.filter((row) => row.link !== unknownAtStripe);
    expect(completed.map((row) => row.link).sort()).toEqual([...links].sort());
    // Jobs fetched together share the fetch's start time.
    expect(new Set(completed.map((row) => row.started_on.getTime())).size).toBe(1);

    const sdk = sdkClient(stripe);
    for (const link of links) {
      expect((await sdk.paymentLinks.retrieve(link)).active).toBe(false);
    }
  });
});
