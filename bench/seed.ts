import type { Client } from 'pg';
import { hashApiKey } from '../src/club/auth/api-key';

/** The data set of docs/performance.md: 10 clubs, each as large as the measured one (club 1). */
export const SEED = {
  clubs: 10,
  parents: 10_000,
  players: 15_000,
  /** Owed orders, each with its one active link. */
  activeLinks: 40_000,
  /** Orders in all: the owed ones, then paid ones. */
  orders: 50_000,
  /** Historic links: one paid link per paid order, one deactivated per order. */
  historicLinks: 60_000,
  teams: 20,
  /**
   * Players whose family keeps a saved card (autopay on): the first parents, who have two
   * players each (players j and j + parents), so cardPlayers ÷ 2 parents hold a card.
   */
  cardPlayers: 8_000,
} as const;

/** The parents with a saved card: 1 … CARD_PARENTS of each club (see SEED.cardPlayers). */
export const CARD_PARENTS = SEED.cardPlayers / 2;
if (CARD_PARENTS > SEED.players - SEED.parents || !Number.isInteger(CARD_PARENTS))
  throw new Error('SEED.cardPlayers must be even and at most 2 × (players − parents)');

/** A seeded saved card's Stripe ids (the month_run benchmark gives the emulator the same). */
export const savedCardIds = (tenantId: number, parent: number) => ({
  customer: `cus_bench_${tenantId}_${parent}`,
  paymentMethod: `pm_bench_${tenantId}_${parent}`,
});

export const MEASURED_TENANT = 1;
export const BENCH_API_KEY = 'cs_admin_bench_measured_club_key_not_a_secret_0000';

/**
 * Generates the whole data set with set-based SQL (generate_series), ids computed so that the
 * rows of one club point at each other. Foreign-key triggers are off while loading (the ids are
 * consistent by construction); unique indexes and checks still apply.
 */
export async function seed(client: Client): Promise<void> {
  const s = SEED;
  await client.query(`SET session_replication_role = replica`);
  await client.query(
    `INSERT INTO tenants (id, slug, name, from_name) OVERRIDING SYSTEM VALUE
     SELECT t, 'bench-club-' || t, 'Bench Club ' || t, 'Bench Club ' || t FROM generate_series(1, $1) t`,
    [s.clubs],
  );
  await client.query(
    `INSERT INTO admin_api_keys (tenant_id, name, key_hash, key_prefix) VALUES ($1, 'bench', $2, $3)`,
    [MEASURED_TENANT, hashApiKey(BENCH_API_KEY), BENCH_API_KEY.slice(0, 15)],
  );
  await client.query(
    `INSERT INTO parents (id, tenant_id, name, email, stripe_customer_id, autopay_payment_method_id,
                          card_brand, card_last4, card_exp_month, card_exp_year) OVERRIDING SYSTEM VALUE
     SELECT (t - 1) * $2 + i, t, 'Parent ' || i, 'parent' || i || '@club' || t || '.bench.example',
            CASE WHEN card THEN 'cus_bench_' || t || '_' || i END, CASE WHEN card THEN 'pm_bench_' || t || '_' || i END,
            CASE WHEN card THEN 'visa' END, CASE WHEN card THEN '4242' END,
            CASE WHEN card THEN 12 END, CASE WHEN card THEN 2030 END
     FROM generate_series(1, $1) t CROSS JOIN generate_series(1, $2) i
     CROSS JOIN LATERAL (SELECT i <= $3 AS card) c`,
    [s.clubs, s.parents, CARD_PARENTS],
  );
  await client.query(
    `INSERT INTO teams (id, tenant_id, name, season, monthly_fee_cents) OVERRIDING SYSTEM VALUE
     SELECT (t - 1) * $2 + k, t, 'Team ' || k, '2026-27', CASE WHEN k % 2 = 0 THEN 12500 ELSE 9500 END
     FROM generate_series(1, $1) t, generate_series(1, $2) k`,
    [s.clubs, s.teams],
  );
  await client.query(
    `INSERT INTO players (id, tenant_id, parent_id, team_id, name, contract_status) OVERRIDING SYSTEM VALUE
     SELECT (t - 1) * $2 + j, t, (t - 1) * $3 + ((j - 1) % $3) + 1, (t - 1) * $4 + ((j - 1) % $4) + 1,
            'Player ' || j, 'signed'
     FROM generate_series(1, $1) t, generate_series(1, $2) j`,
    [s.clubs, s.players, s.parents, s.teams],
  );
  // Six products per club: monthly dues, a jersey, three tournament fees, a tryout.
  await client.query(
    `INSERT INTO products (id, tenant_id, name, category, price_cents, stripe_product_id) OVERRIDING SYSTEM VALUE
     SELECT (t - 1) * 6 + k, t, (ARRAY['Monthly dues','Home jersey','Winter Classic','Spring Cup','Summer Jam','Tryout'])[k],
            (ARRAY['monthly','jersey','tournament','tournament','tournament','tryout'])[k]::product_category,
            (ARRAY[12500, 4500, 6000, 6000, 6000, 2500])[k], 'prod_bench_' || t || '_' || k
     FROM generate_series(1, $1) t, generate_series(1, 6) k`,
    [s.clubs],
  );
  await client.query(
    `INSERT INTO product_prices (tenant_id, product_id, amount_cents, currency, stripe_price_id)
     SELECT t, (t - 1) * 6 + k, p.price_cents, 'usd', 'price_bench_' || t || '_' || k
     FROM generate_series(1, $1) t CROSS JOIN generate_series(1, 6) k
     JOIN products p ON p.id = (t - 1) * 6 + k`,
    [s.clubs],
  );
  // Orders 1..activeLinks are owed (each a distinct player and product); the rest are paid.
  await client.query(
    `INSERT INTO orders (id, tenant_id, player_id, parent_id, product_id, amount_cents, currency, status,
                         amount_paid_cents, stripe_payment_link_id, stripe_checkout_url, paid_at)
     OVERRIDING SYSTEM VALUE
     SELECT (t - 1) * $2 + n, t, (t - 1) * $3 + pl, (t - 1) * $4 + ((pl - 1) % $4) + 1, (t - 1) * 6 + k,
            p.price_cents, 'usd',
            CASE WHEN n <= $5 THEN 'pending' ELSE 'paid' END::order_status,
            CASE WHEN n <= $5 THEN 0 ELSE p.price_cents END,
            CASE WHEN n <= $5 THEN 'plink_bench_' || t || '_' || n END,
            CASE WHEN n <= $5 THEN 'https://pay.bench.example/plink_bench_' || t || '_' || n END,
            CASE WHEN n > $5 THEN now() - interval '40 days' END
     FROM generate_series(1, $1) t CROSS JOIN generate_series(1, $2) n
     CROSS JOIN LATERAL (SELECT ((n - 1) % $3) + 1 AS pl,
                          CASE WHEN n <= $5 THEN 1 + (n - 1) / $3 ELSE 4 END AS k) ids
     JOIN products p ON p.id = (t - 1) * 6 + ids.k`,
    [s.clubs, s.orders, s.players, s.parents, s.activeLinks],
  );
  // Link ids: the active one of owed order n is n; historic ones follow.
  const perClub = s.activeLinks + s.historicLinks;
  await client.query(
    `INSERT INTO payment_links (id, tenant_id, player_id, product_id, order_id, stripe_payment_link_id,
                                stripe_price_id, url, amount_cents, currency, status, paid_at, deactivated_at)
     OVERRIDING SYSTEM VALUE
     SELECT (t - 1) * $2 + l, o.tenant_id, o.player_id, o.product_id, o.id,
            CASE WHEN l <= $3 THEN o.stripe_payment_link_id ELSE 'plink_bench_old_' || t || '_' || l END,
            'price_bench_' || t || '_' || (o.product_id - (t - 1) * 6),
            'https://pay.bench.example/' || CASE WHEN l <= $3 THEN o.stripe_payment_link_id ELSE 'plink_bench_old_' || t || '_' || l END,
            o.amount_cents, 'usd',
            CASE WHEN l <= $3 THEN 'active' WHEN l <= $3 + ($4 - $3) THEN 'paid' ELSE 'deactivated' END::payment_link_status,
            CASE WHEN l > $3 AND l <= $4 THEN now() - interval '40 days' END,
            CASE WHEN l > $4 THEN now() - interval '60 days' END
     FROM generate_series(1, $1) t CROSS JOIN generate_series(1, $2) l
     CROSS JOIN LATERAL (SELECT CASE WHEN l <= $3 THEN l                      -- active: owed order l
                               WHEN l <= $4 THEN l                      -- paid: paid order l
                               ELSE l - $4 END AS n) m                  -- deactivated: one per order
     JOIN orders o ON o.id = (t - 1) * $5 + m.n`,
    [s.clubs, perClub, s.activeLinks, s.orders, s.orders],
  );
  await client.query(`SET session_replication_role = DEFAULT`);
  for (const table of [
    'tenants',
    'admin_api_keys',
    'parents',
    'teams',
    'players',
    'products',
    'product_prices',
    'orders',
    'payment_links',
  ])
    await client.query(
      `SELECT setval(pg_get_serial_sequence('${table}', 'id'), (SELECT max(id) FROM ${table}))`,
    );
  await client.query('VACUUM ANALYZE');
}
