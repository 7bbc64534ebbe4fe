import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Payments: a PaymentIntent can credit one order only; a second payment on a link is kept
 * as an overpayment (one per Checkout Session, refunded once); refunds and disputes that
 * arrive before their payment wait in the inbox, found by their PaymentIntent.
 */
export class PaymentsInbox1763856000000 implements MigrationInterface {
  name = 'PaymentsInbox1763856000000';

  async up(db: QueryRunner): Promise<void> {
    await db.query(`
      DROP INDEX orders_payment_intent_idx;
      CREATE UNIQUE INDEX orders_payment_intent_key ON orders (stripe_payment_intent_id) WHERE stripe_payment_intent_id IS NOT NULL;

      CREATE TABLE overpayments (
        id integer GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
        tenant_id integer NOT NULL,
        order_id integer NOT NULL,
        stripe_checkout_session_id text NOT NULL,
        stripe_payment_intent_id text NOT NULL,
        amount_cents integer NOT NULL CHECK (amount_cents >= 0),
        currency char(3) NOT NULL,
        stripe_refund_id text,
        refunded_at timestamptz,
        created_at timestamptz NOT NULL DEFAULT now(),
        FOREIGN KEY (tenant_id, order_id) REFERENCES orders (tenant_id, id),
        CONSTRAINT overpayments_checkout_session_key UNIQUE (stripe_checkout_session_id),
        CONSTRAINT overpayments_payment_intent_key UNIQUE (stripe_payment_intent_id)
      );
      CREATE INDEX overpayments_tenant_order_idx ON overpayments (tenant_id, order_id);

      CREATE INDEX stripe_events_waiting_idx ON stripe_events ((payload #>> '{data,object,payment_intent}'))
        WHERE outcome = 'unmatched';
      CREATE INDEX stripe_events_tenant_outcome_idx ON stripe_events (tenant_id, outcome, received_at);
    `);
  }

  async down(db: QueryRunner): Promise<void> {
    await db.query(`
      DROP INDEX stripe_events_tenant_outcome_idx;
      DROP INDEX stripe_events_waiting_idx;
      DROP TABLE overpayments;
      DROP INDEX orders_payment_intent_key;
      CREATE INDEX orders_payment_intent_idx ON orders (stripe_payment_intent_id) WHERE stripe_payment_intent_id IS NOT NULL;
    `);
  }
}
