import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * The whole data model of architecture section 3. Every club-owned row carries tenant_id;
 * child tables reference their parent through (tenant_id, id) so a row can never point
 * at another club's row, whatever the application does.
 */
export class CreateClubSchema1763769600000 implements MigrationInterface {
  name = 'CreateClubSchema1763769600000';

  async up(db: QueryRunner): Promise<void> {
    await db.query(`
      CREATE TYPE contract_status AS ENUM ('none', 'pending', 'signed', 'terminated');
      CREATE TYPE product_category AS ENUM ('monthly', 'tournament', 'jersey', 'tryout', 'generic');
      CREATE TYPE order_status AS ENUM ('pending', 'processing', 'paid', 'failed', 'cancelled', 'refunded', 'partially_refunded');
      CREATE TYPE payment_link_status AS ENUM ('active', 'paid', 'deactivated');
      CREATE TYPE commitment_status AS ENUM ('committed', 'declined');
      CREATE TYPE email_blast_status AS ENUM ('previewed', 'sending', 'sent', 'failed', 'cancelled');
      CREATE TYPE email_message_status AS ENUM ('queued', 'sent', 'failed', 'skipped');
      CREATE TYPE stripe_event_outcome AS ENUM ('processed', 'duplicate', 'ignored', 'unmatched', 'needs_review', 'failed');

      CREATE TABLE tenants (
        id integer GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
        slug text NOT NULL UNIQUE CHECK (slug ~ '^[a-z0-9][a-z0-9-]{1,62}$'),
        name text NOT NULL CHECK (length(name) BETWEEN 1 AND 200),
        brand_primary_color text NOT NULL DEFAULT '#1d3557' CHECK (brand_primary_color ~ '^#[0-9a-fA-F]{6}$'),
        brand_accent_color text NOT NULL DEFAULT '#e63946' CHECK (brand_accent_color ~ '^#[0-9a-fA-F]{6}$'),
        logo_url text,
        from_name text NOT NULL,
        reply_to text,
        timezone text NOT NULL DEFAULT 'America/New_York',
        created_at timestamptz NOT NULL DEFAULT now()
      );

      CREATE TABLE admin_api_keys (
        id integer GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
        tenant_id integer NOT NULL REFERENCES tenants(id),
        name text NOT NULL,
        key_hash text NOT NULL UNIQUE,
        key_prefix text NOT NULL,
        created_at timestamptz NOT NULL DEFAULT now(),
        last_used_at timestamptz,
        revoked_at timestamptz
      );
      CREATE INDEX admin_api_keys_tenant_idx ON admin_api_keys (tenant_id);

      CREATE TABLE parents (
        id integer GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
        tenant_id integer NOT NULL REFERENCES tenants(id),
        name text NOT NULL,
        email text,
        phone text,
        created_at timestamptz NOT NULL DEFAULT now(),
        updated_at timestamptz NOT NULL DEFAULT now(),
        UNIQUE (tenant_id, id)
      );
      -- A parent without an email is a real case (skipped as no_email); two parents may not
      -- share an address within a club, whatever its case.
      CREATE UNIQUE INDEX parents_tenant_email_key ON parents (tenant_id, lower(email)) WHERE email IS NOT NULL;

      CREATE TABLE teams (
        id integer GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
        tenant_id integer NOT NULL REFERENCES tenants(id),
        name text NOT NULL,
        season text NOT NULL,
        monthly_fee_cents integer NOT NULL CHECK (monthly_fee_cents >= 0),
        created_at timestamptz NOT NULL DEFAULT now(),
        updated_at timestamptz NOT NULL DEFAULT now(),
        UNIQUE (tenant_id, id),
        CONSTRAINT teams_tenant_name_season_key UNIQUE (tenant_id, name, season)
      );

      CREATE TABLE players (
        id integer GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
        tenant_id integer NOT NULL REFERENCES tenants(id),
        parent_id integer NOT NULL,
        team_id integer,
        name text NOT NULL,
        contract_status contract_status NOT NULL DEFAULT 'none',
        monthly_fee_cents integer CHECK (monthly_fee_cents >= 0),
        -- 244 bits from PostgreSQL's strong random source, so SQL-made rows get one too.
        first_payment_token text NOT NULL UNIQUE
          DEFAULT replace(gen_random_uuid()::text || gen_random_uuid()::text, '-', ''),
        created_at timestamptz NOT NULL DEFAULT now(),
        updated_at timestamptz NOT NULL DEFAULT now(),
        UNIQUE (tenant_id, id),
        FOREIGN KEY (tenant_id, parent_id) REFERENCES parents (tenant_id, id),
        FOREIGN KEY (tenant_id, team_id) REFERENCES teams (tenant_id, id)
      );
      CREATE INDEX players_tenant_parent_idx ON players (tenant_id, parent_id);
      CREATE INDEX players_tenant_team_idx ON players (tenant_id, team_id);

      CREATE TABLE products (
        id integer GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
        tenant_id integer NOT NULL REFERENCES tenants(id),
        name text NOT NULL,
        category product_category NOT NULL,
        price_cents integer NOT NULL CHECK (price_cents >= 0),
        currency char(3) NOT NULL DEFAULT 'usd' CHECK (currency ~ '^[a-z]{3}$'),
        active boolean NOT NULL DEFAULT true,
        stripe_product_id text,
        created_at timestamptz NOT NULL DEFAULT now(),
        updated_at timestamptz NOT NULL DEFAULT now(),
        UNIQUE (tenant_id, id)
      );
      CREATE UNIQUE INDEX products_stripe_product_key ON products (stripe_product_id) WHERE stripe_product_id IS NOT NULL;

      CREATE TABLE product_prices (
        id integer GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
        tenant_id integer NOT NULL,
        product_id integer NOT NULL,
        amount_cents integer NOT NULL CHECK (amount_cents > 0),
        currency char(3) NOT NULL,
        stripe_price_id text NOT NULL UNIQUE,
        created_at timestamptz NOT NULL DEFAULT now(),
        FOREIGN KEY (tenant_id, product_id) REFERENCES products (tenant_id, id),
        CONSTRAINT product_prices_product_amount_key UNIQUE (product_id, amount_cents, currency)
      );

      CREATE TABLE orders (
        id integer GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
        tenant_id integer NOT NULL,
        player_id integer NOT NULL,
        parent_id integer NOT NULL,
        product_id integer NOT NULL,
        amount_cents integer NOT NULL CHECK (amount_cents > 0),
        currency char(3) NOT NULL CHECK (currency ~ '^[a-z]{3}$'),
        status order_status NOT NULL DEFAULT 'pending',
        amount_paid_cents integer NOT NULL DEFAULT 0 CHECK (amount_paid_cents >= 0),
        amount_refunded_cents integer NOT NULL DEFAULT 0 CHECK (amount_refunded_cents >= 0),
        stripe_checkout_session_id text,
        stripe_checkout_url text,
        stripe_payment_link_id text,
        stripe_payment_intent_id text,
        paid_at timestamptz,
        disputed_at timestamptz,
        notes text,
        created_at timestamptz NOT NULL DEFAULT now(),
        updated_at timestamptz NOT NULL DEFAULT now(),
        UNIQUE (tenant_id, id),
        FOREIGN KEY (tenant_id, player_id) REFERENCES players (tenant_id, id),
        FOREIGN KEY (tenant_id, parent_id) REFERENCES parents (tenant_id, id),
        FOREIGN KEY (tenant_id, product_id) REFERENCES products (tenant_id, id)
      );
      CREATE INDEX orders_tenant_status_idx ON orders (tenant_id, status);
      CREATE INDEX orders_tenant_player_idx ON orders (tenant_id, player_id);
      CREATE INDEX orders_payment_intent_idx ON orders (stripe_payment_intent_id) WHERE stripe_payment_intent_id IS NOT NULL;
      CREATE INDEX orders_payment_link_idx ON orders (stripe_payment_link_id) WHERE stripe_payment_link_id IS NOT NULL;

      CREATE TABLE payment_links (
        id integer GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
        tenant_id integer NOT NULL,
        player_id integer NOT NULL,
        product_id integer NOT NULL,
        order_id integer NOT NULL,
        stripe_payment_link_id text NOT NULL UNIQUE,
        stripe_price_id text NOT NULL,
        url text NOT NULL,
        amount_cents integer NOT NULL CHECK (amount_cents > 0),
        currency char(3) NOT NULL,
        status payment_link_status NOT NULL DEFAULT 'active',
        created_at timestamptz NOT NULL DEFAULT now(),
        paid_at timestamptz,
        deactivated_at timestamptz,
        FOREIGN KEY (tenant_id, player_id) REFERENCES players (tenant_id, id),
        FOREIGN KEY (tenant_id, product_id) REFERENCES products (tenant_id, id),
        FOREIGN KEY (tenant_id, order_id) REFERENCES orders (tenant_id, id)
      );
      CREATE UNIQUE INDEX payment_links_one_active_key ON payment_links (tenant_id, player_id, product_id) WHERE status = 'active';
      CREATE INDEX payment_links_tenant_status_idx ON payment_links (tenant_id, status);
      CREATE INDEX payment_links_order_idx ON payment_links (tenant_id, order_id);

      CREATE TABLE tournaments (
        id integer GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
        tenant_id integer NOT NULL REFERENCES tenants(id),
        name text NOT NULL,
        starts_on date NOT NULL,
        location text,
        created_at timestamptz NOT NULL DEFAULT now(),
        UNIQUE (tenant_id, id)
      );
      CREATE TABLE tournament_teams (
        id integer GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
        tenant_id integer NOT NULL,
        tournament_id integer NOT NULL,
        team_id integer NOT NULL,
        product_id integer NOT NULL,
        FOREIGN KEY (tenant_id, tournament_id) REFERENCES tournaments (tenant_id, id) ON DELETE CASCADE,
        FOREIGN KEY (tenant_id, team_id) REFERENCES teams (tenant_id, id),
        FOREIGN KEY (tenant_id, product_id) REFERENCES products (tenant_id, id),
        CONSTRAINT tournament_teams_tournament_team_key UNIQUE (tournament_id, team_id)
      );
      CREATE TABLE tournament_commitments (
        id integer GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
        tenant_id integer NOT NULL,
        tournament_id integer NOT NULL,
        player_id integer NOT NULL,
        status commitment_status NOT NULL,
        updated_at timestamptz NOT NULL DEFAULT now(),
        FOREIGN KEY (tenant_id, tournament_id) REFERENCES tournaments (tenant_id, id) ON DELETE CASCADE,
        FOREIGN KEY (tenant_id, player_id) REFERENCES players (tenant_id, id),
        CONSTRAINT tournament_commitments_tournament_player_key UNIQUE (tournament_id, player_id)
      );

      CREATE TABLE email_blasts (
        id integer GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
        tenant_id integer NOT NULL REFERENCES tenants(id),
        query_name text NOT NULL,
        params jsonb NOT NULL DEFAULT '{}',
        test_email text,
        redirect_to text,
        status email_blast_status NOT NULL DEFAULT 'previewed',
        recipient_count integer NOT NULL DEFAULT 0,
        skipped_count integer NOT NULL DEFAULT 0,
        sent_count integer NOT NULL DEFAULT 0,
        failed_count integer NOT NULL DEFAULT 0,
        recipients_digest text NOT NULL,
        created_at timestamptz NOT NULL DEFAULT now(),
        approved_at timestamptz,
        finished_at timestamptz,
        UNIQUE (tenant_id, id)
      );
      CREATE TABLE email_messages (
        id integer GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
        tenant_id integer NOT NULL,
        blast_id integer,
        parent_id integer NOT NULL,
        email_type text NOT NULL,
        recipient text,
        subject text NOT NULL,
        status email_message_status NOT NULL DEFAULT 'queued',
        skip_reason text,
        content_digest text NOT NULL,
        provider_message_id text,
        error text,
        attempts integer NOT NULL DEFAULT 0,
        created_at timestamptz NOT NULL DEFAULT now(),
        sent_at timestamptz,
        FOREIGN KEY (tenant_id, blast_id) REFERENCES email_blasts (tenant_id, id),
        FOREIGN KEY (tenant_id, parent_id) REFERENCES parents (tenant_id, id)
      );
      -- Receipts have no blast; for blasts, one message per family and no more.
      CREATE UNIQUE INDEX email_messages_blast_parent_key ON email_messages (blast_id, parent_id) WHERE blast_id IS NOT NULL;
      CREATE INDEX email_messages_tenant_parent_idx ON email_messages (tenant_id, parent_id, email_type, sent_at);

      CREATE TABLE stripe_events (
        id text PRIMARY KEY,
        type text NOT NULL,
        livemode boolean NOT NULL,
        api_version text,
        payload jsonb NOT NULL,
        tenant_id integer REFERENCES tenants(id),
        received_at timestamptz NOT NULL DEFAULT now(),
        processed_at timestamptz,
        outcome stripe_event_outcome,
        error text,
        attempts integer NOT NULL DEFAULT 1
      );
      CREATE INDEX stripe_events_outcome_idx ON stripe_events (outcome, received_at);

      CREATE TABLE audit_log (
        id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
        tenant_id integer NOT NULL REFERENCES tenants(id),
        actor text NOT NULL,
        action text NOT NULL,
        subject text NOT NULL,
        data jsonb NOT NULL DEFAULT '{}',
        at timestamptz NOT NULL DEFAULT now()
      );
      CREATE INDEX audit_log_tenant_at_idx ON audit_log (tenant_id, at);
    `);
  }

  async down(db: QueryRunner): Promise<void> {
    await db.query(`
      DROP TABLE audit_log, stripe_events, email_messages, email_blasts, tournament_commitments,
        tournament_teams, tournaments, payment_links, orders, product_prices, products, players,
        teams, parents, admin_api_keys, tenants;
      DROP TYPE stripe_event_outcome, email_message_status, email_blast_status, commitment_status,
        payment_link_status, order_status, product_category, contract_status;
    `);
  }
}
