import { CreateClubSchema1763769600000 } from './1763769600000-CreateClubSchema';
import { PaymentsInbox1763856000000 } from './1763856000000-PaymentsInbox';
import { EmailMessageContent1764028800000 } from './1764028800000-EmailMessageContent';
import { MessageSendingState1764115200000 } from './1764115200000-MessageSendingState';
import { TournamentOrders1764205200000 } from './1764205200000-TournamentOrders';
import { QueuedBlastMessagesIndex1764300000000 } from './1764300000000-QueuedBlastMessagesIndex';
import { ClubMonth1764400000000 } from './1764400000000-ClubMonth';
import { SharedStripeBudget1764500000000 } from './1764500000000-SharedStripeBudget';
import { PublicRateLimit1764500000001 } from './1764500000001-PublicRateLimit';

/** Every migration the code knows, oldest first. A new migration is added here too. */
export const migrations = [
  CreateClubSchema1763769600000,
  PaymentsInbox1763856000000,
  EmailMessageContent1764028800000,
  MessageSendingState1764115200000,
  TournamentOrders1764205200000,
  QueuedBlastMessagesIndex1764300000000,
  ClubMonth1764400000000,
  SharedStripeBudget1764500000000,
  PublicRateLimit1764500000001,
];
