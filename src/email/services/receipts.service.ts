import { Injectable, OnModuleInit } from '@nestjs/common';
import { EntityManager } from 'typeorm';
import { JobsService } from '../../jobs/jobs.service';
import { BrandedMailer } from '../../mailer/branded-mailer.service';
import { EmailMessagesRepository } from '../repositories/email-messages.repository';
import { ReceiptsRepository } from '../repositories/receipts.repository';
import { familyMessage } from '../family-message';
import { MessageDeliveryService } from './message-delivery.service';

export const RECEIPT_QUEUE = 'email.receipt';

/**
 * The parent's receipt after a payment: queued in the webhook's transaction, written once as a
 * message row per order (a partial unique index), and sent only from `queued`, so a replayed
 * event or a retried job never mails it twice.
 */
@Injectable()
export class ReceiptsService implements OnModuleInit {
  constructor(
    private readonly mailer: BrandedMailer,
    private readonly jobs: JobsService,
    private readonly delivery: MessageDeliveryService,
    private readonly receipts: ReceiptsRepository,
    private readonly messages: EmailMessagesRepository,
  ) {}

  onModuleInit(): void {
    this.jobs.handle<{ tenantId: number; orderId: number }>(RECEIPT_QUEUE, (job) =>
      this.sendReceipt(job.tenantId, job.orderId),
    );
  }

  /** Called where an order becomes paid, in that transaction. */
  async enqueue(manager: EntityManager, tenantId: number, orderId: number): Promise<void> {
    await this.jobs.send(RECEIPT_QUEUE, { tenantId, orderId }, { manager });
  }

  async sendReceipt(tenantId: number, orderId: number): Promise<void> {
    const facts = await this.receipts.facts(tenantId, orderId);
    if (!facts) return;
    const tenant = await this.messages.sender(tenantId);
    const rendered = this.mailer.render('receipt', {
      tenant,
      data: {
        parentName: facts.parent_name,
        playerName: facts.player_name,
        itemName: facts.item,
        amountCents: facts.amount_cents,
        currency: facts.currency,
        paidAt: new Date(facts.paid_at),
      },
    });
    await this.receipts.insertOnce(
      tenantId,
      orderId,
      familyMessage(facts.parent_id, facts.email, rendered),
    );
    const message = await this.messages.claimReceipt(tenantId, orderId);
    if (message) await this.delivery.deliver(message, tenant);
  }
}
