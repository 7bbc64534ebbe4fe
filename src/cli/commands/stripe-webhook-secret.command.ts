import { Inject } from '@nestjs/common';
import { Command, CommandRunner } from 'nest-commander';
import { appConfig, type AppConfig, stripeConfig, type StripeConfig } from '../../config';
import { emulatorStateDir } from '../../startup';
import { webhookSecretIn } from '../../stripe-emulator';

/**
 * The emulator's webhook signing secret, for whoever signs their own test events (it is random
 * per data folder; never a constant). With real Stripe the secret is the endpoint's own.
 */
@Command({
  name: 'stripe:webhook-secret',
  description: "Print the built-in Stripe emulator's webhook signing secret (this data folder's)",
})
export class StripeWebhookSecretCommand extends CommandRunner {
  constructor(
    @Inject(appConfig.KEY) private readonly app: AppConfig,
    @Inject(stripeConfig.KEY) private readonly stripe: StripeConfig,
  ) {
    super();
  }

  async run(): Promise<void> {
    if (!this.stripe.emulator) {
      process.stderr.write(
        "Courtside talks to Stripe: the signing secret is your Stripe endpoint's (STRIPE_WEBHOOK_SECRET).\n",
      );
      process.exitCode = 1;
    } else if (this.stripe.webhookSecrets.length > 0) {
      process.stdout.write('STRIPE_WEBHOOK_SECRET is set: the emulator signs with that.\n');
    } else {
      process.stdout.write(`${webhookSecretIn(emulatorStateDir(this.app))}\n`);
    }
  }
}
