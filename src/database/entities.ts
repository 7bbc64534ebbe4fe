import { AuditEntry } from '../audit/audit-entry.entity';
import { AdminApiKey } from '../club/entities/admin-api-key.entity';
import { Order } from '../club/entities/order.entity';
import { Parent } from '../club/entities/parent.entity';
import { Player } from '../club/entities/player.entity';
import { Product } from '../club/entities/product.entity';
import { Team } from '../club/entities/team.entity';
import { Tenant } from '../club/entities/tenant.entity';

export const entities = [Tenant, AdminApiKey, Parent, Team, Player, Product, Order, AuditEntry];
