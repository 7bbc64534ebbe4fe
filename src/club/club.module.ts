import { Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { AdminApiKeyGuard } from './auth/admin-api-key.guard';
import { AdminApiKeysService } from './auth/admin-api-keys.service';
import { ClubController } from './controllers/club.controller';
import { ParentsController } from './controllers/parents.controller';
import { PlayersController } from './controllers/players.controller';
import { ProductsController } from './controllers/products.controller';
import { RosterController } from './controllers/roster.controller';
import { TeamsController } from './controllers/teams.controller';
import { AdminApiKey } from './entities/admin-api-key.entity';
import { ContractEndingsHook } from './contracts/contract-endings.hook';
import { Tenant } from './entities/tenant.entity';
import { ClubsService } from './services/clubs.service';
import { ParentsService } from './services/parents.service';
import { PlayersService } from './services/players.service';
import { ProductsService } from './services/products.service';
import { RosterImportService } from './services/roster-import.service';
import { TeamsService } from './services/teams.service';

@Module({
  imports: [TypeOrmModule.forFeature([Tenant, AdminApiKey])],
  controllers: [
    ClubController,
    ParentsController,
    TeamsController,
    PlayersController,
    ProductsController,
    RosterController,
  ],
  providers: [
    AdminApiKeysService,
    AdminApiKeyGuard,
    ClubsService,
    ParentsService,
    TeamsService,
    PlayersService,
    ProductsService,
    RosterImportService,
    ContractEndingsHook,
  ],
  exports: [
    AdminApiKeysService,
    AdminApiKeyGuard,
    ClubsService,
    ProductsService,
    ContractEndingsHook,
  ],
})
export class ClubModule {}
