import { DynamicModule, Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { databaseConfig, DatabaseConfig } from '../config';
import { dataSourceOptions } from './data-source.options';

@Module({})
export class DatabaseModule {
  /** The URL is decided before Nest starts: the given DATABASE_URL or the embedded server's. */
  static forRoot(url: string): DynamicModule {
    return {
      module: DatabaseModule,
      imports: [
        TypeOrmModule.forRootAsync({
          inject: [databaseConfig.KEY],
          useFactory: (config: DatabaseConfig) => dataSourceOptions(url, config.poolSize),
        }),
      ],
    };
  }
}
