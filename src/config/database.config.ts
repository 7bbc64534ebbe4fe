import { registerAs } from '@nestjs/config';
import { IsInt, IsOptional, Matches, Max, Min } from 'class-validator';
import { parseEnvironment } from './environment';

export class DatabaseEnvironment {
  @IsOptional()
  @Matches(/^postgres(ql)?:\/\//, { message: 'DATABASE_URL must be a postgres:// URL' })
  DATABASE_URL?: string;
  @IsOptional() @IsInt() @Min(1024) @Max(65535) EMBEDDED_PG_PORT?: number;
  @IsOptional() @IsInt() @Min(1) @Max(200) DATABASE_POOL_SIZE?: number;
}

export const databaseConfig = registerAs('database', () => {
  const env = parseEnvironment(process.env, DatabaseEnvironment);
  return {
    /** Unset means: run the embedded PostgreSQL under the data directory. */
    url: env.DATABASE_URL,
    embeddedPort: env.EMBEDDED_PG_PORT ?? 54329,
    poolSize: env.DATABASE_POOL_SIZE ?? 10,
  };
});
export type DatabaseConfig = ReturnType<typeof databaseConfig>;
