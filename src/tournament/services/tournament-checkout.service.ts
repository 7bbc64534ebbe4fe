import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import { ClubContext } from '../../club/auth/club-context';
import { isOrderOwed } from '../../orders/order-status';
import { OrdersService } from '../../orders/services/orders.service';
import { PaymentLinkResponse } from '../../payment-links/dtos/payment-link.dto';
import { PaymentLinksService } from '../../payment-links/services/payment-links.service';
import type {
  TournamentCancellation,
  TournamentCheckoutItem,
  TournamentCheckoutLinksResponse,
} from '../dtos/tournament.dto';
import { withSessionLock } from '../../database/advisory-lock';
import {
  TournamentOrdersRepository,
  TournamentPlace,
} from '../repositories/tournament-orders.repository';
import { TournamentsRepository } from '../repositories/tournaments.repository';

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
    private readonly tournaments: TournamentsRepository,
    private readonly tournamentOrders: TournamentOrdersRepository,
  ) {}

  async checkoutLinks(
    club: ClubContext,
    tournamentId: number,
  ): Promise<TournamentCheckoutLinksResponse> {
    await this.tournaments.find(this.db.manager, club.tenantId, tournamentId);
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
    await this.paymentLinks.cancelOrder(club, orderId);
    return this.billPlayer(club, tournamentId, playerId);
  }

  /** Bills one player's place (call inside withCheckoutLock); undefined when the player no longer plays. */
  async billPlayer(
    club: ClubContext,
    tournamentId: number,
    playerId: number,
  ): Promise<TournamentCheckoutItem | undefined> {
    const [place] = await this.tournamentOrders.places(club.tenantId, tournamentId, playerId);
    if (place?.commitment !== 'committed' || place.product_id === null) return undefined;
    return this.bill(club, tournamentId, place);
  }

  private async run(
    club: ClubContext,
    tournamentId: number,
  ): Promise<TournamentCheckoutLinksResponse> {
    const result: TournamentCheckoutLinksResponse = { data: [], cancelled: [], skipped: [] };
    for (const place of await this.tournamentOrders.places(club.tenantId, tournamentId)) {
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

  private async bill(
    club: ClubContext,
    tournamentId: number,
    place: TournamentPlace,
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
          (await this.tournamentOrders.unrecordedOrder(
            manager,
            club.tenantId,
            place.player_id,
            productId,
          )) ??
          (await this.orders.create(
            club,
            { player_id: place.player_id, product_id: productId },
            manager,
          ));
        await this.tournamentOrders.record(
          manager,
          club.tenantId,
          tournamentId,
          place.player_id,
          made.id,
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
      link =
        place.latest_link_id === null
          ? null
          : await this.paymentLinks.get(club, place.latest_link_id);
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

  /** The player no longer plays: the unpaid order is cancelled, its link closed first. */
  private async withdraw(
    club: ClubContext,
    playerId: number,
    orderId: number,
  ): Promise<TournamentCancellation> {
    // Read before the cancel closes it: the answer names the link that stopped taking money.
    const [active] = (await this.paymentLinks.list(club, { order_id: orderId, status: 'active' }))
      .data;
    await this.paymentLinks.cancelOrder(club, orderId);
    return { player_id: playerId, order_id: orderId, deactivated_link_id: active?.id ?? null };
  }
}
