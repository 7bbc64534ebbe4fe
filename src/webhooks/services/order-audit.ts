import type { EntityManager } from 'typeorm';
import type { AuditService } from '../../audit/audit.service';
import type { Order } from '../../orders/entities/order.entity';

/** What a webhook did to an order, in the club's audit log. */
export function auditOrderChange(
  audit: AuditService,
  manager: EntityManager,
  order: Order,
  action: string,
  data: Record<string, unknown>,
): Promise<void> {
  return audit.record(
    manager,
    { tenantId: order.tenantId, actor: 'stripe:webhook' },
    action,
    `order:${order.id}`,
    data,
  );
}
