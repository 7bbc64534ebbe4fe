import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, EntityManager } from 'typeorm';
import { ClubContext } from '../../club/auth/club-context';
import { isOrderOwed, OWED } from '../../orders/order-status';
import type { OrderStatus } from '../../orders/entities/order.entity';
import { OrdersService } from '../../orders/services/orders.service';
import { PaymentLinkResponse } from '../../payment-links/dtos/payment-link.dto';
import { PaymentLink } from '../../payment-links/entities/payment-link.entity';
import { PaymentLinksService } from '../../payment-links/services/payment-links.service';
import type {
  TournamentCancellation,
  TournamentCheckoutItem,
  TournamentCheckoutLinksResponse,
} from '../dtos/tournament.dto';
import type { CommitmentStatus } from '../entities/tournament-commitment.entity';
import { withSessionLock } from '../../database/advisory-lock';
import { tournamentRecords } from './tournaments.service';

interface Place {
  player_id: number;
  commitment: CommitmentStatus;
  team_id: number | null;
  product_id: number | null;
  order_id: number | null;
  order_status: OrderStatus | null;
}

/**
 * One pending order and pay link per committed player, for the product of the player's
 * team in the tournament. Re-running finds each player's order in `tournament_orders`, so
 * it changes nothing; a player who declined since has the unpaid order cancelled.
 */
@Injectable()
export class TournamentCheckoutService {
  private readonly lockQueue = new Map<number, Promise<void>>();

  constructor(
    @InjectDataSource() private readonly db: DataSource,
    private readonly orders: OrdersService,
    private readonly paymentLinks: PaymentLinksService,
  ) {}

  async checkoutLinks(
    club: ClubContext,
    tournamentId: number,
  ): Promise<TournamentCheckoutLinksResponse> {
    await tournamentRecords.find(this.db.manager, club.tenantId, tournamentId);
    return this.withCheckoutLock(tournamentId, () => this.run(club, tournamentId));
  }

  /**
   * Runs `work` holding the tournament's checkout lock, which every run that makes or cancels
   * its orders takes (checkout-links, tournament:regenerate-orders). The work calls Stripe and
   * other services' transactions, so one session-level lock on a dedicated connection
   * serialises them; callers in this process queue first, so a waiter holds no connection.
   */
  async withCheckoutLock<T>(tournamentId: number, work: () => Promise<T>): Promise<T> {
    const before = this.lockQueue.get(tournamentId) ?? Promise.resolve();
    let release!: () => void;
    const mine = new Promise<void>((resolve) => (release = resolve));
    const queue = before.then(() => mine);
    this.lockQueue.set(tournamentId, queue);
    await before;
    try {
      return await withSessionLock(this.db, `tournament-checkout:${tournamentId}`, work);
    } finally {
      release();
      if (this.lockQueue.get(tournamentId) === queue) this.lockQueue.delete(tournamentId);
    }
  }

  /**
   * Replaces a player's owed fee order (call inside withCheckoutLock): its link stops taking
   * money, the order is cancelled, and the place is billed as checkout-links bills it, with a
   * new order at the fee's current price and a new link. Undefined when the player no longer
   * plays (then the order is only cancelled, as checkout-links would).
   */
  async replaceOrder(
    club: ClubContext,
    tournamentId: number,
    playerId: number,
    orderId: number,
  ): Promise<TournamentCheckoutItem | undefined> {
    await this.withdraw(club, playerId, orderId);
    return this.billPlayer(club, tournamentId, playerId);
  }

  /** Bills one player's place (call inside withCheckoutLock); undefined when the player no longer plays. */
  async billPlayer(
    club: ClubContext,
    tournamentId: number,
    playerId: number,
  ): Promise<TournamentCheckoutItem | undefined> {
    const [place] = await this.places(club.tenantId, tournamentId, playerId);
    if (place?.commitment !== 'committed' || place.product_id === null) return undefined;
    return this.bill(club, tournamentId, place);
  }

  private async run(
    club: ClubContext,
    tournamentId: number,
  ): Promise<TournamentCheckoutLinksResponse> {
    const result: TournamentCheckoutLinksResponse = { data: [], cancelled: [], skipped: [] };
    for (const place of await this.places(club.tenantId, tournamentId)) {
      const plays = place.commitment === 'committed' && place.product_id !== null;
      if (plays) {
        result.data.push(await this.bill(club, tournamentId, place));
        continue;
      }
      if (place.commitment === 'committed')
        result.skipped.push({ player_id: place.player_id, reason: 'not_on_a_tournament_team' });
      if (place.order_id !== null && place.order_status && isOrderOwed(place.order_status))
        result.cancelled.push(await this.withdraw(club, place.player_id, place.order_id));
    }
    return result;
  }

  private async unrecordedOrder(
    manager: EntityManager,
    tenantId: number,
    playerId: number,
    productId: number,
  ): Promise<{ id: number; status: OrderStatus } | undefined> {
    const rows = (await manager.query(
      `SELECT o.id, o.status FROM orders o
       WHERE o.tenant_id = $1 AND o.player_id = $2 AND o.product_id = $3 AND o.status = ANY($4::order_status[])
         AND NOT EXISTS (SELECT 1 FROM tournament_orders t WHERE t.tenant_id = o.tenant_id AND t.order_id = o.id)
       ORDER BY o.id LIMIT 1`,
      [tenantId, playerId, productId, OWED],
    )) as { id: number; status: OrderStatus }[];
    return rows[0];
  }

  private async bill(
    club: ClubContext,
    tournamentId: number,
    place: Place,
  ): Promise<TournamentCheckoutItem> {
    let orderId = place.order_id;
    let orderStatus = place.order_status;
    let created = false;
    if (orderId === null || orderStatus === 'cancelled') {
      const productId = place.product_id!;
      const order = await this.db.transaction(async (manager) => {
        // The item's lock: a pay link minted for the same fee at this moment makes no second order.
        await this.orders.lockItem(manager, club.tenantId, place.player_id, productId);
        // An owed order for this fee that no tournament records (made by hand, or by an older run
        // interrupted before recording it) is adopted rather than billing the family twice.
        const made =
          (await this.unrecordedOrder(manager, club.tenantId, place.player_id, productId)) ??
          (await this.orders.create(
            club,
            { player_id: place.player_id, product_id: productId },
            manager,
          ));
        await manager.query(
          `INSERT INTO tournament_orders (tenant_id, tournament_id, player_id, order_id)
           VALUES ($1, $2, $3, $4)
           ON CONFLICT ON CONSTRAINT tournament_orders_tournament_player_key
           DO UPDATE SET order_id = EXCLUDED.order_id`,
          [club.tenantId, tournamentId, place.player_id, made.id],
        );
        return made;
      });
      orderId = order.id;
      orderStatus = order.status;
      created = true;
    }
    let link: PaymentLinkResponse | null;
    if (isOrderOwed(orderStatus!)) {
      const minted = await this.paymentLinks.mintForOrder(club, orderId);
      link = minted.link;
      created ||= minted.created;
    } else {
      link = await this.latestLink(club.tenantId, orderId);
    }
    return {
      player_id: place.player_id,
      team_id: place.team_id!,
      order_id: orderId,
      order_status: orderStatus!,
      link,
      created,
    };
  }

  /** The player no longer plays: the link stops taking money first, then the order is cancelled. */
  private async withdraw(
    club: ClubContext,
    playerId: number,
    orderId: number,
  ): Promise<TournamentCancellation> {
    const active = await this.db.manager.findOneBy(PaymentLink, {
      tenantId: club.tenantId,
      orderId,
      status: 'active',
    });
    if (active) await this.paymentLinks.deactivate(club, active.id);
    await this.orders.cancel(club, orderId);
    return { player_id: playerId, order_id: orderId, deactivated_link_id: active?.id ?? null };
  }

  private async latestLink(tenantId: number, orderId: number): Promise<PaymentLinkResponse | null> {
    const link = await this.db.manager.findOne(PaymentLink, {
      where: { tenantId, orderId },
      order: { id: 'DESC' },
    });
    return link ? PaymentLinkResponse.of(link) : null;
  }

  private places(tenantId: number, tournamentId: number, playerId?: number): Promise<Place[]> {
    return this.db.query(
      `SELECT c.player_id, c.status AS commitment, p.team_id, tt.product_id,
              tor.order_id, o.status AS order_status
         FROM tournament_commitments c
         JOIN players p ON p.tenant_id = c.tenant_id AND p.id = c.player_id
         LEFT JOIN tournament_teams tt
           ON tt.tenant_id = c.tenant_id AND tt.tournament_id = c.tournament_id AND tt.team_id = p.team_id
         LEFT JOIN tournament_orders tor
           ON tor.tenant_id = c.tenant_id AND tor.tournament_id = c.tournament_id AND tor.player_id = c.player_id
         LEFT JOIN orders o ON o.tenant_id = tor.tenant_id AND o.id = tor.order_id
        WHERE c.tenant_id = $1 AND c.tournament_id = $2 AND ($3::int IS NULL OR c.player_id = $3)
        ORDER BY c.player_id`,
      [tenantId, tournamentId, playerId ?? null],
    );
  }
}
