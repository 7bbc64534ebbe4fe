import { DataSource } from 'typeorm';
import { migrations } from '../migrations';
import { dataSourceOptions } from '../src/database/data-source.options';
import { migrateDatabase, UnknownMigrationError } from '../src/database/migrate';
import { createEmptyDatabase } from './support/database';

async function open(url: string, known = migrations): Promise<DataSource> {
  return new DataSource({ ...dataSourceOptions(url, 2), migrations: known }).initialize();
}

async function tables(db: DataSource): Promise<string[]> {
  const rows: { table_name: string }[] = await db.query(
    `SELECT table_name FROM information_schema.tables WHERE table_schema = 'public' ORDER BY table_name`,
  );
  return rows.map((row) => row.table_name);
}

describe('migrations', () => {
  it('apply cleanly on an empty database and create the whole data model', async () => {
    const db = await open(await createEmptyDatabase());
    try {
      const applied = await migrateDatabase(db);
      expect(applied).toEqual(migrations.map((m) => m.name));
      expect(await tables(db)).toEqual(
        expect.arrayContaining([
          'tenants',
          'admin_api_keys',
          'parents',
          'teams',
          'players',
          'products',
          'product_prices',
          'orders',
          'payment_links',
          'tournaments',
          'tournament_teams',
          'tournament_commitments',
          'email_blasts',
          'email_messages',
          'stripe_events',
          'audit_log',
          'stripe_call_slots',
          'public_rate_limits',
        ]),
      );
      expect(await migrateDatabase(db)).toEqual([]);
    } finally {
      await db.destroy();
    }
  });

  it('apply on top of every earlier release schema', async () => {
    // Release 0 is a database that predates Courtside: every migration is pending.
    for (let release = 0; release < migrations.length; release++) {
      const url = await createEmptyDatabase();
      const earlier = await open(url, migrations.slice(0, release));
      await migrateDatabase(earlier);
      await earlier.destroy();
      const current = await open(url);
      try {
        expect(await migrateDatabase(current)).toEqual(
          migrations.slice(release).map((m) => m.name),
        );
      } finally {
        await current.destroy();
      }
    }
  });

  it('go down one by one to an empty schema and up again', async () => {
    const db = await open(await createEmptyDatabase());
    try {
      await migrateDatabase(db);
      for (let i = 0; i < migrations.length; i++)
        await db.undoLastMigration({ transaction: 'each' });
      expect(await tables(db)).toEqual(['migrations']);
      const types: unknown[] = await db.query(
        `SELECT typname FROM pg_type t JOIN pg_namespace n ON n.oid = t.typnamespace WHERE n.nspname = 'public' AND t.typtype = 'e'`,
      );
      expect(types).toEqual([]);
      expect(await migrateDatabase(db)).toHaveLength(migrations.length);
    } finally {
      await db.destroy();
    }
  });

  it('refuse a database that holds a migration the code does not know, naming it', async () => {
    const db = await open(await createEmptyDatabase());
    try {
      await migrateDatabase(db);
      await db.query(
        `INSERT INTO migrations (timestamp, name) VALUES (1799999999999, 'HandAppliedHotfix1799999999999')`,
      );
      await expect(migrateDatabase(db)).rejects.toThrow(UnknownMigrationError);
      await expect(migrateDatabase(db)).rejects.toThrow(/HandAppliedHotfix1799999999999/);
    } finally {
      await db.destroy();
    }
  });

  it('let two instances start at once: one applies, the other finds nothing to do', async () => {
    const url = await createEmptyDatabase();
    const [a, b] = await Promise.all([open(url), open(url)]);
    try {
      const results = await Promise.all([migrateDatabase(a), migrateDatabase(b)]);
      expect(results.map((r) => r.length).sort()).toEqual([0, migrations.length]);
    } finally {
      await Promise.all([a.destroy(), b.destroy()]);
    }
  });

  it("enforce the uniqueness rules in the schema: one active link per order, one order per month of a player's dues, one email per club", async () => {
    const db = await open(await createEmptyDatabase());
    try {
      await migrateDatabase(db);
      const [{ id: tenant }] = await db.query(
        `INSERT INTO tenants (slug, name, from_name) VALUES ('c1', 'C', 'C') RETURNING id`,
      );
      const [{ id: parent }] = await db.query(
        `INSERT INTO parents (tenant_id, name, email) VALUES ($1, 'A', 'a@x.example') RETURNING id`,
        [tenant],
      );
      await expect(
        db.query(`INSERT INTO parents (tenant_id, name, email) VALUES ($1, 'B', 'A@X.EXAMPLE')`, [
          tenant,
        ]),
      ).rejects.toThrow(/parents_tenant_email_key/);
      await db.query(
        `INSERT INTO parents (tenant_id, name) VALUES ($1, 'No email 1'), ($1, 'No email 2')`,
        [tenant],
      );

      const [{ id: player }] = await db.query(
        `INSERT INTO players (tenant_id, parent_id, name) VALUES ($1, $2, 'P') RETURNING id, first_payment_token`,
        [tenant, parent],
      );
      const [{ first_payment_token: token }] = await db.query(
        `SELECT first_payment_token FROM players WHERE id = $1`,
        [player],
      );
      expect(token).toMatch(/^[0-9a-f]{64}$/);
      const [{ id: product }] = await db.query(
        `INSERT INTO products (tenant_id, name, category, price_cents) VALUES ($1, 'Dues', 'monthly', 100) RETURNING id`,
        [tenant],
      );
      const [{ id: order }] = await db.query(
        `INSERT INTO orders (tenant_id, player_id, parent_id, product_id, amount_cents, currency) VALUES ($1, $2, $3, $4, 100, 'usd') RETURNING id`,
        [tenant, player, parent, product],
      );
      const link = (n: number, status = 'active', forOrder = order) =>
        db.query(
          `INSERT INTO payment_links (tenant_id, player_id, product_id, order_id, stripe_payment_link_id, stripe_price_id, url, amount_cents, currency, status)
           VALUES ($1, $2, $3, $4, $5, 'price_1', 'https://pay.example/x', 100, 'usd', $6)`,
          [tenant, player, product, forOrder, `plink_${n}`, status],
        );
      await link(1);
      await expect(link(2)).rejects.toThrow(/payment_links_one_active_per_order_key/);
      await link(3, 'deactivated');

      // Two months of the same dues: each order its own active link; a month exists once.
      const month = (period: string, status = 'pending') =>
        db.query(
          `INSERT INTO orders (tenant_id, player_id, parent_id, product_id, amount_cents, currency, billing_period, status)
           VALUES ($1, $2, $3, $4, 100, 'usd', $5, $6) RETURNING id`,
          [tenant, player, parent, product, period, status],
        );
      const [{ id: january }] = await month('2027-01-01');
      await link(4, 'active', january);
      await expect(month('2027-01-01')).rejects.toThrow(/orders_billing_period_key/);
      await month('2027-02-01', 'cancelled');
      await month('2027-02-01');
      await expect(month('2027-03-15')).rejects.toThrow(/billing_period_check/);
      await expect(
        db.query(
          `INSERT INTO payment_links (tenant_id, player_id, product_id, order_id, stripe_payment_link_id, stripe_price_id, url, amount_cents, currency) VALUES ($1, $2, NULL, $3, 'plink_9', 'p', 'u', 1, 'usd')`,
          [tenant, player, order],
        ),
      ).rejects.toThrow(/null value/);
    } finally {
      await db.destroy();
    }
  });
});
