import { Command, CommandRunner } from 'nest-commander';
import { DemoSeedService } from '../../seed/demo-seed.service';

@Command({
  name: 'seed:demo',
  description: 'Create the demo club (teams, ~20 families, products, orders) if it does not exist',
})
export class SeedDemoCommand extends CommandRunner {
  constructor(private readonly seeder: DemoSeedService) {
    super();
  }

  async run(): Promise<void> {
    const result = await this.seeder.seed();
    if (!result.seeded) {
      process.stdout.write(
        `The demo club "${result.tenantSlug}" already exists; nothing changed.\n`,
      );
      return;
    }
    process.stdout.write(
      `Seeded the demo club "${result.tenantSlug}". Admin API key (shown once):\n${result.apiKey}\n` +
        `Minted ${result.linksMinted ?? 0} Pay Now links; ${result.cardsSaved ?? 0} families have a saved card for the month run.\n` +
        `Its first months are this month's; see next month's run (a dry run; add --commit to bill):\n` +
        `  npm run cli -- billing:run-month --tenant ${result.tenantSlug} --month ${result.nextMonth}\n`,
    );
  }
}
