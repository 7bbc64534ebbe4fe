import { DynamicModule, Module } from '@nestjs/common';
import { ConfigModule } from '@nestjs/config';
import { AuditModule } from './audit/audit.module';
import { ClubModule } from './club/club.module';
import { configLoaders, validateEnvironment } from './config';
import { DatabaseModule } from './database/database.module';
import { SeedModule } from './seed/seed.module';

/** What both the HTTP service and the CLI stand on: config, database and the club's records. */
@Module({})
export class CoreModule {
  static register(options: { databaseUrl: string }): DynamicModule {
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
        AuditModule,
        ClubModule,
        SeedModule,
      ],
      exports: [ClubModule, SeedModule],
    };
  }
}
