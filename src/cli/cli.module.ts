import { DynamicModule, Module } from '@nestjs/common';
import { CoreModule } from '../core.module';
import { CreateApiKeyCommand, RevokeApiKeyCommand } from './commands/api-key.commands';
import { CreateClubCommand } from './commands/club-create.command';
import { MigrateCommand } from './commands/migrate.command';
import { SeedDemoCommand } from './commands/seed-demo.command';

@Module({})
export class CliModule {
  static register(options: { databaseUrl: string; stripeApiUrl?: string }): DynamicModule {
    return {
      module: CliModule,
      imports: [CoreModule.register({ ...options, runWorkers: false })],
      providers: [
        MigrateCommand,
        SeedDemoCommand,
        CreateClubCommand,
        CreateApiKeyCommand,
        RevokeApiKeyCommand,
      ],
    };
  }
}
