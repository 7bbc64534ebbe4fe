import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * The club's month (monthly-cycle.md §1): a billing period on monthly orders, one active link per
 * order, the saved card on parents, the club's billing settings, team billing ranges, contract
 * dates, and the month run's ledgers (runs, charge attempts, reminders).
 */
export class ClubMonth1764400000000 implements MigrationInterface {
  name = 'ClubMonth1764400000000';

  async up(db: QueryRunner): Promise<void> {
    await db.query(`
      CREATE TYPE billing_run_status AS ENUM ('planned', 'running', 'done', 'failed');
      CREATE TYPE charge_attempt_status AS ENUM ('processing', 'succeeded', 'failed', 'requires_action');

      ALTER TABLE orders ADD COLUMN billing_period date
        CHECK (billing_period = date_trunc('month', billing_period)::date);
      -- A month of a player's dues exists once, whatever runs it and however often.
      CREATE UNIQUE INDEX orders_billing_period_key ON orders (tenant_id, player_id, product_id, billing_period)
        WHERE billing_period IS NOT NULL AND status <> 'cancelled';
      CREATE INDEX orders_tenant_period_idx ON orders (tenant_id, billing_period) WHERE billing_period IS NOT NULL;

      -- One live link per order (two owed months each carry their own Pay Now link).
      DROP INDEX payment_links_one_active_key;
      CREATE UNIQUE INDEX payment_links_one_active_per_order_key ON payment_links (tenant_id, order_id) WHERE status = 'active';

      ALTER TABLE parents
        ADD COLUMN stripe_customer_id text,
        ADD COLUMN autopay_payment_method_id text,
        ADD COLUMN card_brand text,
        ADD COLUMN card_last4 text CHECK (card_last4 ~ '^[0-9]{4}$'),
        ADD COLUMN card_exp_month integer CHECK (card_exp_month BETWEEN 1 AND 12),
        ADD COLUMN card_exp_year integer,
        ADD COLUMN card_removed_at timestamptz,
        ADD COLUMN autopay boolean NOT NULL DEFAULT true;
      -- payment_method.detached names only the card.
      CREATE INDEX parents_autopay_card_idx ON parents (autopay_payment_method_id)
        WHERE autopay_payment_method_id IS NOT NULL;

      ALTER TABLE tenants
        ADD COLUMN billing_day integer NOT NULL DEFAULT 1 CHECK (billing_day BETWEEN 1 AND 28),
        ADD COLUMN billing_hour_local integer NOT NULL DEFAULT 9 CHECK (billing_hour_local BETWEEN 0 AND 23),
        ADD COLUMN autopay_enabled boolean NOT NULL DEFAULT true,
        ADD COLUMN reminder_days integer[] NOT NULL DEFAULT '{3,10,20}'
          CHECK (0 < ALL (reminder_days) AND 366 > ALL (reminder_days)),
        ADD COLUMN quiet_hours_start time NOT NULL DEFAULT '20:00',
        ADD COLUMN quiet_hours_end time NOT NULL DEFAULT '08:00',
        ADD COLUMN auto_send_statements boolean NOT NULL DEFAULT false;

      ALTER TABLE teams
        ADD COLUMN billing_starts_on date CHECK (billing_starts_on = date_trunc('month', billing_starts_on)::date),
        ADD COLUMN billing_ends_on date CHECK (billing_ends_on = date_trunc('month', billing_ends_on)::date),
        ADD CONSTRAINT teams_billing_range_check CHECK (billing_ends_on >= billing_starts_on);

      ALTER TABLE players ADD COLUMN contract_signed_on date, ADD COLUMN contract_ended_on date;
      UPDATE players SET contract_signed_on = created_at::date WHERE contract_status = 'signed';
      UPDATE players SET contract_ended_on = updated_at::date WHERE contract_status = 'terminated';

      CREATE TABLE billing_runs (
        id integer GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
        tenant_id integer NOT NULL REFERENCES tenants (id),
        period date NOT NULL CHECK (period = date_trunc('month', period)::date),
        status billing_run_status NOT NULL DEFAULT 'planned',
        run_on date NOT NULL,
        orders_created integer NOT NULL DEFAULT 0,
        charged integer NOT NULL DEFAULT 0,
        charge_failed integer NOT NULL DEFAULT 0,
        links_minted integer NOT NULL DEFAULT 0,
        skipped jsonb NOT NULL DEFAULT '[]',
        error text,
        started_at timestamptz,
        finished_at timestamptz,
        created_at timestamptz NOT NULL DEFAULT now(),
        UNIQUE (tenant_id, id),
        CONSTRAINT billing_runs_tenant_period_key UNIQUE (tenant_id, period)
      );

      -- The orders a month run made (a first month paid by its link has a period but no run).
      ALTER TABLE orders ADD COLUMN billing_run_id integer,
        ADD CONSTRAINT orders_billing_run_fkey FOREIGN KEY (tenant_id, billing_run_id) REFERENCES billing_runs (tenant_id, id);
      CREATE INDEX orders_billing_run_idx ON orders (tenant_id, billing_run_id) WHERE billing_run_id IS NOT NULL;

      CREATE TABLE charge_attempts (
        id integer GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
        tenant_id integer NOT NULL,
        order_id integer NOT NULL,
        parent_id integer NOT NULL,
        attempt integer NOT NULL CHECK (attempt > 0),
        idempotency_key text NOT NULL UNIQUE,
        stripe_payment_method_id text,
        stripe_payment_intent_id text,
        status charge_attempt_status NOT NULL DEFAULT 'processing',
        decline_code text,
        message text,
        created_at timestamptz NOT NULL DEFAULT now(),
        updated_at timestamptz NOT NULL DEFAULT now(),
        UNIQUE (tenant_id, id),
        CONSTRAINT charge_attempts_order_attempt_key UNIQUE (tenant_id, order_id, attempt),
        FOREIGN KEY (tenant_id, order_id) REFERENCES orders (tenant_id, id),
        FOREIGN KEY (tenant_id, parent_id) REFERENCES parents (tenant_id, id)
      );
      CREATE INDEX charge_attempts_payment_intent_idx ON charge_attempts (stripe_payment_intent_id)
        WHERE stripe_payment_intent_id IS NOT NULL;

      -- One-off family mails (a declined charge, a reminder) are written once under their key.
      ALTER TABLE email_messages ADD COLUMN message_key text;
      CREATE UNIQUE INDEX email_messages_key ON email_messages (tenant_id, message_key) WHERE message_key IS NOT NULL;

      CREATE TABLE reminders_sent (
        id integer GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
        tenant_id integer NOT NULL,
        parent_id integer NOT NULL,
        order_id integer NOT NULL,
        step integer NOT NULL,
        email_message_id integer REFERENCES email_messages (id),
        sent_at timestamptz NOT NULL DEFAULT now(),
        CONSTRAINT reminders_sent_step_key UNIQUE (tenant_id, parent_id, order_id, step),
        FOREIGN KEY (tenant_id, order_id) REFERENCES orders (tenant_id, id),
        FOREIGN KEY (tenant_id, parent_id) REFERENCES parents (tenant_id, id)
      );
    `);
  }

  async down(db: QueryRunner): Promise<void> {
    await db.query(`
      DROP TABLE reminders_sent;
      DROP INDEX email_messages_key;
      ALTER TABLE email_messages DROP COLUMN message_key;
      DROP TABLE charge_attempts;
      ALTER TABLE orders DROP COLUMN billing_run_id;
      DROP TABLE billing_runs;
      ALTER TABLE players DROP COLUMN contract_signed_on, DROP COLUMN contract_ended_on;
      ALTER TABLE teams DROP CONSTRAINT teams_billing_range_check,
        DROP COLUMN billing_starts_on, DROP COLUMN billing_ends_on;
      ALTER TABLE tenants DROP COLUMN billing_day, DROP COLUMN billing_hour_local,
        DROP COLUMN autopay_enabled, DROP COLUMN reminder_days, DROP COLUMN quiet_hours_start,
        DROP COLUMN quiet_hours_end, DROP COLUMN auto_send_statements;
      DROP INDEX parents_autopay_card_idx;
      ALTER TABLE parents DROP COLUMN stripe_customer_id, DROP COLUMN autopay_payment_method_id,
        DROP COLUMN card_brand, DROP COLUMN card_last4, DROP COLUMN card_exp_month,
        DROP COLUMN card_exp_year, DROP COLUMN card_removed_at, DROP COLUMN autopay;
      -- Back to one active link per player and item: where a player has several, the newest stays.
      UPDATE payment_links l SET status = 'deactivated', deactivated_at = now()
      WHERE l.status = 'active' AND EXISTS (
        SELECT 1 FROM payment_links n
        WHERE n.tenant_id = l.tenant_id AND n.player_id = l.player_id AND n.product_id = l.product_id
          AND n.status = 'active' AND n.id > l.id);
      DROP INDEX payment_links_one_active_per_order_key;
      CREATE UNIQUE INDEX payment_links_one_active_key ON payment_links (tenant_id, player_id, product_id) WHERE status = 'active';
      DROP INDEX orders_tenant_period_idx;
      DROP INDEX orders_billing_period_key;
      ALTER TABLE orders DROP COLUMN billing_period;
      DROP TYPE charge_attempt_status, billing_run_status;
    `);
  }
}
