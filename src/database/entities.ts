import { AuditEntry } from '../audit/audit-entry.entity';
import { Overpayment } from '../billing/entities/overpayment.entity';
import { AdminApiKey } from '../club/entities/admin-api-key.entity';
import { Order } from '../orders/entities/order.entity';
import { Parent } from '../club/entities/parent.entity';
import { Player } from '../club/entities/player.entity';
import { Product } from '../club/entities/product.entity';
import { Team } from '../club/entities/team.entity';
import { Tenant } from '../club/entities/tenant.entity';
import { EmailBlast } from '../email/entities/email-blast.entity';
import { EmailMessage } from '../email/entities/email-message.entity';
import { ReminderSent } from '../email/entities/reminder-sent.entity';
import { PaymentLink } from '../payment-links/entities/payment-link.entity';
import { ProductPrice } from '../payment-links/entities/product-price.entity';
import { TournamentCommitment } from '../tournament/entities/tournament-commitment.entity';
import { TournamentOrder } from '../tournament/entities/tournament-order.entity';
import { TournamentTeam } from '../tournament/entities/tournament-team.entity';
import { Tournament } from '../tournament/entities/tournament.entity';
import { StripeEvent } from '../webhooks/entities/stripe-event.entity';

export const entities = [
  Tenant,
  AdminApiKey,
  Parent,
  Team,
  Player,
  Product,
  Order,
  AuditEntry,
  PaymentLink,
  ProductPrice,
  StripeEvent,
  Overpayment,
  EmailBlast,
  EmailMessage,
  ReminderSent,
  Tournament,
  TournamentTeam,
  TournamentCommitment,
  TournamentOrder,
];
