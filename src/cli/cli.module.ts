import { DynamicModule, Module } from '@nestjs/common';
import { CoreModule, type CoreOptions } from '../core.module';
import {
  CreateApiKeyCommand,
  ListApiKeysCommand,
  RevokeApiKeyCommand,
} from './commands/api-key.commands';
import { BackfillCheckoutUrlsCommand } from './commands/backfill-checkout-urls.command';
import { BackfillPaymentLinksCommand } from './commands/backfill-payment-links.command';
import { BillingRunMonthCommand } from './commands/billing-run-month.command';
import { CreateClubCommand } from './commands/club-create.command';
import { MigrateCommand } from './commands/migrate.command';
import { ReconcileCommand } from './commands/reconcile.command';
import { SeedDemoCommand } from './commands/seed-demo.command';
import { StripeWebhookSecretCommand } from './commands/stripe-webhook-secret.command';
import { TournamentRegenerateOrdersCommand } from './commands/tournament-regenerate-orders.command';
import { WebhooksReplayCommand } from './commands/webhooks-replay.command';

@Module({})
export class CliModule {
  static register(options: Omit<CoreOptions, 'runWorkers'>): DynamicModule {
    return {
      module: CliModule,
      imports: [CoreModule.register({ ...options, runWorkers: false })],
      providers: [
        MigrateCommand,
        ReconcileCommand,
        WebhooksReplayCommand,
        SeedDemoCommand,
        CreateClubCommand,
        CreateApiKeyCommand,
        RevokeApiKeyCommand,
        ListApiKeysCommand,
        BackfillPaymentLinksCommand,
        BackfillCheckoutUrlsCommand,
        TournamentRegenerateOrdersCommand,
        StripeWebhookSecretCommand,
        BillingRunMonthCommand,
      ],
    };
  }
}
