import { DynamicModule, Module } from '@nestjs/common';
import { ConfigModule } from '@nestjs/config';
import { AuditModule } from './audit/audit.module';
import { BillingModule } from './billing/billing.module';
import { OrdersModule } from './orders/orders.module';
import { ClubModule } from './club/club.module';
import { configLoaders, validateEnvironment } from './config';
import { DatabaseModule } from './database/database.module';
import { EmailModule } from './email/email.module';
import { JobsModule } from './jobs/jobs.module';
import { MailModule } from './mailer/mail.module';
import { MonthModule } from './month/month.module';
import { PaymentLinksModule } from './payment-links/payment-links.module';
import { SeedModule } from './seed/seed.module';
import { StripeModule } from './stripe/stripe.module';
import type { StripeConnection } from './stripe/stripe.service';
import { TournamentModule } from './tournament/tournament.module';
import { WebhooksModule } from './webhooks/webhooks.module';

export interface CoreOptions {
  databaseUrl: string;
  /** The Stripe emulator's URL and signing secret when Courtside runs without a real Stripe key. */
  stripe?: StripeConnection;
  /** The HTTP service works the job queues; CLI commands only send jobs. */
  runWorkers: boolean;
}

/** What both the HTTP service and the CLI stand on: config, database, Stripe, jobs and the club's records. */
@Module({})
export class CoreModule {
  static register(options: CoreOptions): DynamicModule {
    return {
      module: CoreModule,
      imports: [
        ConfigModule.forRoot({
          isGlobal: true,
          ignoreEnvFile: true,
          load: configLoaders,
          validate: validateEnvironment,
        }),
        DatabaseModule.forRoot(options.databaseUrl),
        JobsModule.register({ databaseUrl: options.databaseUrl, runWorkers: options.runWorkers }),
        StripeModule.register(options.stripe ?? {}, options.databaseUrl),
        MailModule,
        AuditModule,
        ClubModule,
        OrdersModule,
        PaymentLinksModule,
        BillingModule,
        EmailModule,
        MonthModule,
        TournamentModule,
        SeedModule,
        WebhooksModule,
      ],
      exports: [
        ClubModule,
        OrdersModule,
        PaymentLinksModule,
        BillingModule,
        EmailModule,
        MonthModule,
        TournamentModule,
        WebhooksModule,
        SeedModule,
      ],
    };
  }
}
