import { randomBytes } from 'node:crypto';
import { DataSource } from 'typeorm';
import { generateApiKey } from '../../src/club/auth/api-key';
import { AdminApiKey } from '../../src/club/entities/admin-api-key.entity';
import { Order } from '../../src/orders/entities/order.entity';
import { Parent } from '../../src/club/entities/parent.entity';
import { Player } from '../../src/club/entities/player.entity';
import { Product } from '../../src/club/entities/product.entity';
import { Team } from '../../src/club/entities/team.entity';
import { Tenant } from '../../src/club/entities/tenant.entity';
import { EmailBlast } from '../../src/email/entities/email-blast.entity';
import { PaymentLink } from '../../src/payment-links/entities/payment-link.entity';
import { TournamentCommitment } from '../../src/tournament/entities/tournament-commitment.entity';
import { TournamentTeam } from '../../src/tournament/entities/tournament-team.entity';
import { Tournament } from '../../src/tournament/entities/tournament.entity';

const unique = () => randomBytes(4).toString('hex');

/** One thing a family owes: an order for `product`, billed to `player`. */
export interface OwedItem {
  player: string;
  product: string;
  amountCents: number;
}

export interface TestClub {
  tenant: Tenant;
  apiKey: string;
  keyPrefix: string;
}

/** Test data straight into the database, one factory per entity, overridable field by field. */
/**
 * A club with no quiet hours: for tests that wait for a family mail held back in quiet hours
 * (20:00–08:00 in the club's zone by default), so they pass at any hour they run.
 */
export const NO_QUIET_HOURS: Partial<Tenant> = { quietHoursStart: '00:00', quietHoursEnd: '00:00' };

export function factories(db: DataSource) {
  const f = {
    async club(overrides: Partial<Tenant> = {}): Promise<TestClub> {
      const slug = overrides.slug ?? `club-${unique()}`;
      const saved = await db
        .getRepository(Tenant)
        .save({ slug, name: `Club ${slug}`, fromName: `Club ${slug}`, ...overrides });
      // As stored: the columns' defaults (its timezone) too, which tests compute dates with.
      const tenant = await db.getRepository(Tenant).findOneByOrFail({ id: saved.id });
      const { key, prefix } = await f.apiKey(tenant.id);
      return { tenant, apiKey: key, keyPrefix: prefix };
    },
    async apiKey(
      tenantId: number,
      overrides: Partial<AdminApiKey> = {},
    ): Promise<{ key: string; prefix: string; id: number }> {
      const { key, hash, prefix } = generateApiKey();
      const row = await db
        .getRepository(AdminApiKey)
        .save({ tenantId, name: 'test', keyHash: hash, keyPrefix: prefix, ...overrides });
      return { key, prefix, id: row.id };
    },
    parent(tenantId: number, overrides: Partial<Parent> = {}): Promise<Parent> {
      const id = unique();
      return db.getRepository(Parent).save({
        tenantId,
        name: `Parent ${id}`,
        email: `parent-${id}@families.example`,
        ...overrides,
      });
    },
    team(tenantId: number, overrides: Partial<Team> = {}): Promise<Team> {
      return db.getRepository(Team).save({
        tenantId,
        name: `Team ${unique()}`,
        season: '2026-27',
        monthlyFeeCents: 12_500,
        ...overrides,
      });
    },
    async player(tenantId: number, overrides: Partial<Player> = {}): Promise<Player> {
      const parentId = overrides.parentId ?? (await f.parent(tenantId)).id;
      return db.getRepository(Player).save({
        tenantId,
        parentId,
        name: `Player ${unique()}`,
        contractStatus: 'signed',
        ...overrides,
      });
    },
    product(tenantId: number, overrides: Partial<Product> = {}): Promise<Product> {
      return db.getRepository(Product).save({
        tenantId,
        name: `Product ${unique()}`,
        category: 'generic',
        priceCents: 5_000,
        currency: 'usd',
        active: true,
        ...overrides,
      });
    },
    async order(tenantId: number, overrides: Partial<Order> = {}): Promise<Order> {
      const player = overrides.playerId
        ? await db.getRepository(Player).findOneByOrFail({ id: overrides.playerId })
        : await f.player(tenantId);
      const productId = overrides.productId ?? (await f.product(tenantId)).id;
      return db.getRepository(Order).save({
        tenantId,
        playerId: player.id,
        parentId: player.parentId,
        productId,
        amountCents: 5_000,
        currency: 'usd',
        status: 'pending',
        amountPaidCents: 0,
        amountRefundedCents: 0,
        ...overrides,
      });
    },
    /** A link row as if minted (no Stripe call): for tests of access and listing, not of payment. */
    async paymentLink(order: Order, overrides: Partial<PaymentLink> = {}): Promise<PaymentLink> {
      const id = `plink_test_${unique()}`;
      const link = await db.getRepository(PaymentLink).save({
        tenantId: order.tenantId,
        playerId: order.playerId,
        productId: order.productId,
        orderId: order.id,
        stripePaymentLinkId: id,
        stripePriceId: `price_test_${unique()}`,
        url: `https://pay.example/${id}`,
        amountCents: order.amountCents,
        currency: order.currency,
        status: 'active',
        ...overrides,
      });
      await db
        .getRepository(Order)
        .update({ id: order.id }, { stripePaymentLinkId: id, stripeCheckoutUrl: link.url });
      return link;
    },
    /**
     * A parent owing one order per item, each with an active pay link (made without Stripe);
     * two items naming one player are two orders of that player.
     */
    async familyOwing(
      tenantId: number,
      items: OwedItem[],
      parent: Partial<Parent> = {},
    ): Promise<{ parent: Parent; links: PaymentLink[] }> {
      const family = await f.parent(tenantId, parent);
      const players = new Map<string, number>();
      const links: PaymentLink[] = [];
      for (const item of items) {
        const playerId =
          players.get(item.player) ??
          (await f.player(tenantId, { parentId: family.id, name: item.player })).id;
        players.set(item.player, playerId);
        const product = await f.product(tenantId, { name: item.product });
        const order = await f.order(tenantId, {
          playerId,
          productId: product.id,
          amountCents: item.amountCents,
        });
        links.push(await f.paymentLink(order));
      }
      return { parent: family, links };
    },
    /** A previewed blast row (no preview run): for tests of access, not of mailing. */
    blast(tenantId: number, overrides: Partial<EmailBlast> = {}): Promise<EmailBlast> {
      return db.getRepository(EmailBlast).save({
        tenantId,
        queryName: 'outstanding_balances',
        params: {},
        force: false,
        status: 'previewed',
        recipientCount: 0,
        skippedCount: 0,
        sentCount: 0,
        failedCount: 0,
        recipientsDigest: 'factory',
        ...overrides,
      });
    },
    /** A tournament the team plays in for the product, with the player committed. */
    async tournament(
      tenantId: number,
      entry: { teamId: number; productId: number; playerId: number },
    ): Promise<Tournament> {
      const tournament = await db.getRepository(Tournament).save({
        tenantId,
        name: `Tournament ${unique()}`,
        startsOn: '2026-12-05',
        location: 'Civic Arena',
      });
      await db.getRepository(TournamentTeam).save({
        tenantId,
        tournamentId: tournament.id,
        teamId: entry.teamId,
        productId: entry.productId,
      });
      await db.getRepository(TournamentCommitment).save({
        tenantId,
        tournamentId: tournament.id,
        playerId: entry.playerId,
        status: 'committed',
      });
      return tournament;
    },
    /** A club with one of everything, for tests that need ids of every kind. */
    async fullClub(): Promise<
      TestClub & {
        parent: Parent;
        team: Team;
        player: Player;
        product: Product;
        order: Order;
        paymentLink: PaymentLink;
        blast: EmailBlast;
        tournament: Tournament;
        billingRun: { id: number };
      }
    > {
      const club = await f.club();
      const tenantId = club.tenant.id;
      const parent = await f.parent(tenantId);
      const team = await f.team(tenantId);
      const player = await f.player(tenantId, { parentId: parent.id, teamId: team.id });
      const product = await f.product(tenantId);
      const order = await f.order(tenantId, { playerId: player.id, productId: product.id });
      const paymentLink = await f.paymentLink(
        await f.order(tenantId, { playerId: player.id, productId: product.id }),
      );
      const blast = await f.blast(tenantId);
      const tournament = await f.tournament(tenantId, {
        teamId: team.id,
        productId: product.id,
        playerId: player.id,
      });
      const [billingRun] = (await db.query(
        `INSERT INTO billing_runs (tenant_id, period, run_on, status) VALUES ($1, '2026-09-01', '2026-09-01', 'done') RETURNING id`,
        [tenantId],
      )) as { id: number }[];
      return {
        ...club,
        parent,
        team,
        player,
        product,
        order,
        paymentLink,
        blast,
        tournament,
        billingRun,
      };
    },
  };
  return f;
}
