import { Inject, Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import { ClubContext } from '../../club/auth/club-context';
import { Order } from '../../club/entities/order.entity';
import { OrdersService } from '../../club/services/orders.service';
import { playerRecords } from '../../club/services/players.service';
import { DomainException } from '../../common/errors/domain.exception';
import { appConfig, type AppConfig } from '../../config';
import { PaymentLinksService } from '../../payment-links/services/payment-links.service';

/** Where a first-payment click ends: Stripe's pay page, or one of our explanation pages. */
export type FirstPaymentOutcome =
  | { kind: 'pay'; url: string; minted?: boolean; orderId?: number; replacedOrderId?: number }
  | { kind: 'unknown' | 'not_signed' | 'not_set_up' | 'paid' | 'processing'; clubName?: string };

/** A dry run's answer adds what a click would mint (and the stale order it would replace). */
export type FirstMonthDecision =
  FirstPaymentOutcome | { kind: 'would_mint'; amountCents: number; replacesOrderId?: number };

interface FirstPaymentFacts {
  player_id: number;
  tenant_id: number;
  contract_status: string;
  fee_cents: number | null;
  product_id: number | null;
  club_name: string;
}

const TOKEN = /^[0-9a-f]{64}$/;

/**
 * The monthly first payment: a player with a signed contract owes the flat monthly fee (their
 * override, else the team's; no proration). The public link re-checks everything at each click.
 */
@Injectable()
export class FirstPaymentService {
  constructor(
    @InjectDataSource() private readonly db: DataSource,
    @Inject(appConfig.KEY) private readonly app: AppConfig,
    private readonly orders: OrdersService,
    private readonly links: PaymentLinksService,
  ) {}

  /** The player's public first-payment URL (their unguessable token). */
  async linkFor(club: ClubContext, playerId: number): Promise<{ url: string }> {
    await playerRecords.find(this.db.manager, club.tenantId, playerId);
    const [{ token }] = (await this.db.query(
      'SELECT first_payment_token AS token FROM players WHERE tenant_id = $1 AND id = $2',
      [club.tenantId, playerId],
    )) as { token: string }[];
    return { url: `${this.app.publicBaseUrl}/checkout/first-payment?token=${token}` };
  }

  async click(token: string | undefined): Promise<FirstPaymentOutcome> {
    const facts =
      token && TOKEN.test(token) ? await this.facts('first_payment_token', token) : undefined;
    if (!facts) return { kind: 'unknown' };
    const outcome = await this.firstMonth(facts, `first-payment:player:${facts.player_id}`, true);
    return outcome.kind === 'would_mint' ? { kind: 'unknown' } : outcome;
  }

  /**
   * The same decision for an operator (`backfill:payment-links`): the player's first-month link,
   * reused or minted; without `commit`, what the click would do, changing nothing.
   */
  async firstMonthForPlayer(
    club: ClubContext,
    playerId: number,
    commit: boolean,
  ): Promise<FirstMonthDecision> {
    const facts = await this.facts('id', playerId, club.tenantId);
    if (!facts) throw DomainException.notFound('Player', playerId);
    return this.firstMonth(facts, club.actor, commit);
  }

  private async firstMonth(
    facts: FirstPaymentFacts,
    actor: string,
    commit: boolean,
  ): Promise<FirstMonthDecision> {
    const clubName = facts.club_name;
    if (facts.contract_status !== 'signed') return { kind: 'not_signed', clubName };
    if (facts.fee_cents === null || facts.product_id === null || facts.fee_cents < 1)
      return { kind: 'not_set_up', clubName };
    const club: ClubContext = { tenantId: facts.tenant_id, apiKeyId: 0, actor };

    // Two clicks at once must make one order: one decision per player at a time.
    const runner = this.db.createQueryRunner();
    await runner.connect();
    try {
      await runner.query('SELECT pg_advisory_lock(hashtext($1))', [
        `first-payment:${facts.player_id}`,
      ]);
      const monthly = await this.db.manager.find(Order, {
        where: { tenantId: club.tenantId, playerId: facts.player_id, productId: facts.product_id },
        order: { id: 'ASC' },
      });
      if (
        monthly.some((order) => ['paid', 'partially_refunded', 'refunded'].includes(order.status))
      )
        return { kind: 'paid', clubName };
      if (monthly.some((order) => order.status === 'processing'))
        return { kind: 'processing', clubName };
      const owed = monthly.find((order) => order.status === 'pending' || order.status === 'failed');
      const current = owed && owed.amountCents === facts.fee_cents;
      if (current && owed.stripeCheckoutUrl)
        return { kind: 'pay', url: owed.stripeCheckoutUrl, minted: false };
      if (!commit)
        return {
          kind: 'would_mint',
          amountCents: facts.fee_cents,
          replacesOrderId: owed && !current ? owed.id : undefined,
        };
      let orderId = owed?.id;
      const replacedOrderId = owed && !current ? owed.id : undefined;
      if (owed && !current) {
        // The fee changed since the link was made: that order and its link are retired.
        await this.links.cancelOrder(club, owed.id);
        orderId = undefined;
      }
      orderId ??= (
        await this.orders.create(club, {
          player_id: facts.player_id,
          product_id: facts.product_id,
          amount_cents: facts.fee_cents,
        })
      ).id;
      const { link } = await this.links.mintForOrder(club, orderId);
      return { kind: 'pay', url: link.url, minted: true, orderId, replacedOrderId };
    } catch (error) {
      if (error instanceof DomainException && error.code === 'invalid_state')
        return { kind: 'paid', clubName };
      throw error;
    } finally {
      await runner
        .query('SELECT pg_advisory_unlock(hashtext($1))', [`first-payment:${facts.player_id}`])
        .catch(() => undefined);
      await runner.release();
    }
  }

  private async facts(
    by: 'first_payment_token' | 'id',
    value: string | number,
    tenantId?: number,
  ): Promise<FirstPaymentFacts | undefined> {
    const rows = (await this.db.query(
      `SELECT pl.id AS player_id, pl.tenant_id, pl.contract_status,
              COALESCE(pl.monthly_fee_cents, t.monthly_fee_cents) AS fee_cents,
              (SELECT pr.id FROM products pr
               WHERE pr.tenant_id = pl.tenant_id AND pr.category = 'monthly' AND pr.active ORDER BY pr.id LIMIT 1) AS product_id,
              tn.name AS club_name
       FROM players pl
       JOIN tenants tn ON tn.id = pl.tenant_id
       LEFT JOIN teams t ON t.tenant_id = pl.tenant_id AND t.id = pl.team_id
       WHERE pl.${by} = $1 AND ($2::int IS NULL OR pl.tenant_id = $2)`,
      [value, tenantId ?? null],
    )) as FirstPaymentFacts[];
    return rows[0];
  }
}
