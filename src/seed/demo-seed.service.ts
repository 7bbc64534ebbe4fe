import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, EntityManager } from 'typeorm';
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
import { DEMO_CLUB } from './demo-club';
import { lockUntilCommit } from '../database/advisory-lock';

export interface SeedResult {
  seeded: boolean;
  /** Shown once; only its hash is stored. */
  apiKey?: string;
  tenantSlug: string;
  /** Pay Now links minted for the demo's unpaid orders (0 when Stripe could not be reached). */
  linksMinted?: number;
}

@Injectable()
export class DemoSeedService {
  constructor(
    @InjectDataSource() private readonly db: DataSource,
    private readonly paymentLinks: PaymentLinksService,
    private readonly orders: OrdersService,
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
      async (manager): Promise<SeedResult & { tenantId?: number }> => {
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
        await this.seedRoster(manager, tenant.id);
        return { seeded: true, apiKey, tenantSlug: tenant.slug, tenantId: tenant.id };
      },
    );
    if (result.tenantId === undefined) return result;
    const { tenantId, ...seeded } = result;
    return { ...seeded, linksMinted: await this.mintLinks(tenantId) };
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

  private async seedRoster(manager: EntityManager, tenantId: number): Promise<void> {
    const teams = await manager.save(
      DEMO_CLUB.teams.map((team) => manager.create(Team, { ...team, tenantId })),
    );
    const products = await manager.save(
      DEMO_CLUB.products.map((product) =>
        manager.create(Product, { ...product, tenantId, currency: 'usd', active: true }),
      ),
    );
    const [monthly, tournament, jersey] = products;
    const contracts: ContractStatus[] = ['signed', 'signed', 'pending', 'none'];
    const orders: DemoOrder[] = [];
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
            status: i % 3 === 0 ? 'paid' : 'pending',
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
  }
}
