import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, EntityManager, IsNull } from 'typeorm';
import { generateApiKey } from '../club/auth/api-key';
import { AdminApiKey } from '../club/entities/admin-api-key.entity';
import { ContractStatus } from '../club/entities/player.entity';
import { Order } from '../orders/entities/order.entity';
import { type DemoOrder, OrdersService } from '../orders/services/orders.service';
import { Parent } from '../club/entities/parent.entity';
import { Player } from '../club/entities/player.entity';
import { Product } from '../club/entities/product.entity';
import { Team } from '../club/entities/team.entity';
import { Tenant } from '../club/entities/tenant.entity';
import { DomainException } from '../common/errors/domain.exception';
import { PaymentLinksService } from '../payment-links/services/payment-links.service';
import { idempotencyKeys } from '../stripe/idempotency-keys';
import { StripeService } from '../stripe/stripe.service';
import { DEMO_CLUB } from './demo-club';
import { lockUntilCommit } from '../database/advisory-lock';
import { addMonths, firstDayOf, localNow, monthOf } from '../common/month/billing-month';

/** A demo family whose card is to be kept at Stripe (a test token, see DEMO_CLUB.savedCards). */
interface DemoCard {
  parentId: number;
  name: string;
  email: string | null;
  token: string;
}

const DEMO_CARDS: Partial<Record<string, string>> = DEMO_CLUB.savedCards;

export interface SeedResult {
  seeded: boolean;
  /** Shown once; only its hash is stored. */
  apiKey?: string;
  tenantSlug: string;
  /** Pay Now links minted for the demo's unpaid orders (0 when Stripe could not be reached). */
  linksMinted?: number;
  /** Families given a saved card at Stripe, for autopay (0 when Stripe could not be reached). */
  cardsSaved?: number;
  /** The first month a month run bills (`YYYY-MM`): the seeded first months are this month. */
  nextMonth?: string;
}

@Injectable()
export class DemoSeedService {
  constructor(
    @InjectDataSource() private readonly db: DataSource,
    private readonly paymentLinks: PaymentLinksService,
    private readonly orders: OrdersService,
    private readonly stripe: StripeService,
  ) {}

  /** First start of an empty database: seed the demo club. Any existing club means hands off. */
  async seedIfEmpty(): Promise<SeedResult> {
    if ((await this.db.getRepository(Tenant).count()) > 0)
      return { seeded: false, tenantSlug: DEMO_CLUB.slug };
    return this.seed();
  }

  /** Seeds the demo club unless it exists; safe to run twice. */
  async seed(): Promise<SeedResult> {
    const result = await this.db.transaction(
      async (manager): Promise<SeedResult & { tenantId?: number; cards?: DemoCard[] }> => {
        await lockUntilCommit(manager, 'seed:demo');
        if (await manager.existsBy(Tenant, { slug: DEMO_CLUB.slug }))
          return { seeded: false, tenantSlug: DEMO_CLUB.slug };
        const tenant = await manager.save(
          manager.create(Tenant, {
            slug: DEMO_CLUB.slug,
            name: DEMO_CLUB.name,
            fromName: DEMO_CLUB.fromName,
            replyTo: DEMO_CLUB.replyTo,
          }),
        );
        const apiKey = await this.createKey(manager, tenant.id);
        const { cards, firstMonth } = await this.seedRoster(manager, tenant.id);
        return {
          seeded: true,
          apiKey,
          tenantSlug: tenant.slug,
          tenantId: tenant.id,
          cards,
          nextMonth: addMonths(monthOf(firstMonth), 1),
        };
      },
    );
    if (result.tenantId === undefined) return result;
    const { tenantId, cards = [], ...seeded } = result;
    const cardsSaved = await this.saveCards(tenantId, cards);
    return { ...seeded, cardsSaved, linksMinted: await this.mintLinks(tenantId) };
  }

  /**
   * Some families keep a card, as if their first month's link had saved it: a customer at Stripe
   * with the test card attached, and the card on the parent, so that a month run charges it. Every
   * Stripe write is keyed by our ids and a parent's card is written only where none is, so a
   * repeat sends Stripe the same keys and changes nothing. Without a reachable Stripe the demo
   * still seeds, with no saved cards.
   */
  private async saveCards(tenantId: number, cards: DemoCard[]): Promise<number> {
    let saved = 0;
    for (const card of cards) {
      try {
        const customer = await this.stripe.createCustomer(
          {
            name: card.name,
            ...(card.email && { email: card.email }),
            metadata: { tenant_id: String(tenantId), parent_id: String(card.parentId) },
          },
          idempotencyKeys.customer(tenantId, card.parentId),
        );
        const method = await this.stripe.attachPaymentMethod(
          card.token,
          customer.id,
          idempotencyKeys.attachCard(tenantId, card.parentId, card.token),
        );
        if (!method.card) continue;
        const written = await this.db.manager.update(
          Parent,
          { tenantId, id: card.parentId, stripeCustomerId: IsNull() },
          {
            stripeCustomerId: customer.id,
            autopayPaymentMethodId: method.id,
            cardBrand: method.card.brand,
            cardLast4: method.card.last4,
            cardExpMonth: method.card.exp_month,
            cardExpYear: method.card.exp_year,
          },
        );
        if (written.affected) saved++;
      } catch (error) {
        if (error instanceof DomainException && error.code.startsWith('payment_provider'))
          return saved;
        throw error;
      }
    }
    return saved;
  }

  /**
   * Every unpaid demo order gets its Pay Now link, so the demo statement and blast show real
   * links (to the emulator's pages under `npm start`). Without a reachable Stripe the demo
   * still seeds; links can be minted later.
   */
  private async mintLinks(tenantId: number): Promise<number> {
    const club = { tenantId, actor: 'seed:demo' };
    const unpaid = await this.db.manager.find(Order, {
      where: { tenantId, status: 'pending' },
      order: { id: 'ASC' },
    });
    let minted = 0;
    for (const order of unpaid) {
      try {
        await this.paymentLinks.mintForOrder(club, order.id);
        minted++;
      } catch (error) {
        if (error instanceof DomainException && error.code.startsWith('payment_provider'))
          return minted;
        throw error;
      }
    }
    return minted;
  }

  private async createKey(manager: EntityManager, tenantId: number): Promise<string> {
    const { key, hash, prefix } = generateApiKey();
    await manager.insert(AdminApiKey, {
      tenantId,
      name: 'demo admin',
      keyHash: hash,
      keyPrefix: prefix,
    });
    return key;
  }

  /** The club's teams, families, players and orders; answers the families to give a card. */
  private async seedRoster(
    manager: EntityManager,
    tenantId: number,
  ): Promise<{ cards: DemoCard[]; firstMonth: string }> {
    const teams = await manager.save(
      DEMO_CLUB.teams.map((team) => manager.create(Team, { ...team, tenantId })),
    );
    const products = await manager.save(
      DEMO_CLUB.products.map((product) =>
        manager.create(Product, { ...product, tenantId, currency: 'usd', active: true }),
      ),
    );
    const [monthly, tournament, jersey] = products;
    // Each signed player's first month is this month, as the first-payment link bills it: the
    // month run bills from next month on (this month's is already billed).
    const [{ timezone }] = (await manager.query(`SELECT timezone FROM tenants WHERE id = $1`, [
      tenantId,
    ])) as { timezone: string }[];
    const firstMonth = firstDayOf(localNow(new Date(), timezone).month)!;
    const contracts: ContractStatus[] = ['signed', 'signed', 'pending', 'none'];
    const orders: DemoOrder[] = [];
    const cards: DemoCard[] = [];
    for (const [i, family] of DEMO_CLUB.familyNames.entries()) {
      const first = DEMO_CLUB.parentFirstNames[i % DEMO_CLUB.parentFirstNames.length];
      // One family has no email, as real rosters do; statements skip it as no_email.
      const email = i === 19 ? null : `${first}.${family}@families.example`.toLowerCase();
      const parent = await manager.save(
        manager.create(Parent, {
          tenantId,
          name: `${first} ${family}`,
          email,
          phone: `555-01${String(i).padStart(2, '0')}`,
        }),
      );
      const token = DEMO_CARDS[family];
      if (token) cards.push({ parentId: parent.id, name: parent.name, email, token });
      const kids = i % 4 === 0 ? 2 : 1;
      for (let k = 0; k < kids; k++) {
        const team = teams[(i + k) % teams.length];
        const player = await manager.save(
          manager.create(Player, {
            tenantId,
            parentId: parent.id,
            teamId: team.id,
            name: `${DEMO_CLUB.playerFirstNames[(i + k * 5) % DEMO_CLUB.playerFirstNames.length]} ${family}`,
            contractStatus: contracts[(i + k) % contracts.length],
          }),
        );
        const base = { tenantId, playerId: player.id, parentId: parent.id, currency: 'usd' };
        if (player.contractStatus === 'signed') {
          orders.push({
            ...base,
            productId: monthly.id,
            amountCents: team.monthlyFeeCents,
            billingPeriod: firstMonth,
            // A kept card comes from a paid first month (its link keeps the card).
            status: i % 3 === 0 || token ? 'paid' : 'pending',
          });
        }
        if (i % 2 === 0)
          orders.push({
            ...base,
            productId: tournament.id,
            amountCents: tournament.priceCents,
            status: 'pending',
          });
        if (i % 5 === 0)
          orders.push({
            ...base,
            productId: jersey.id,
            amountCents: jersey.priceCents,
            status: 'pending',
          });
      }
    }
    await this.orders.seedDemo(manager, orders);
    return { cards, firstMonth };
  }
}
