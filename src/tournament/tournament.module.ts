import { Module } from '@nestjs/common';
import { OrdersModule } from '../orders/orders.module';
import { ClubModule } from '../club/club.module';
import { PaymentLinksModule } from '../payment-links/payment-links.module';
import { TournamentsController } from './controllers/tournaments.controller';
import { TournamentBillingService } from './services/tournament-billing.service';
import { TournamentCheckoutService } from './services/tournament-checkout.service';
import { TournamentRegenerationService } from './services/tournament-regeneration.service';
import { TournamentsService } from './services/tournaments.service';
import { TournamentOrdersRepository } from './repositories/tournament-orders.repository';
import { TournamentsRepository } from './repositories/tournaments.repository';

@Module({
  imports: [ClubModule, OrdersModule, PaymentLinksModule],
  controllers: [TournamentsController],
  providers: [
    TournamentsService,
    TournamentCheckoutService,
    TournamentBillingService,
    TournamentRegenerationService,
    TournamentsRepository,
    TournamentOrdersRepository,
  ],
  // TournamentsRepository: the email registry's reader of tournaments and committed families.
  exports: [TournamentCheckoutService, TournamentRegenerationService, TournamentsRepository],
})
export class TournamentModule {}
