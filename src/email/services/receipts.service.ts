import { Injectable, OnModuleInit } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, EntityManager } from 'typeorm';
import { Tenant } from '../../club/entities/tenant.entity';
import { JobsService } from '../../jobs/jobs.service';
import { BrandedMailer } from '../../mailer/branded-mailer.service';
import { claimReceipt, receiptFacts } from '../email-log.queries';
import { EmailMessage } from '../entities/email-message.entity';
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
    @InjectDataSource() private readonly db: DataSource,
    private readonly mailer: BrandedMailer,
    private readonly jobs: JobsService,
    private readonly delivery: MessageDeliveryService,
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
    const facts = await receiptFacts(this.db.manager, tenantId, orderId);
    if (!facts) return;
    const tenant = await this.db.getRepository(Tenant).findOneByOrFail({ id: tenantId });
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
    await this.db
      .createQueryBuilder()
      .insert()
      .into(EmailMessage)
      .values({
        tenantId,
        receiptOrderId: orderId,
        parentId: facts.parent_id,
        emailType: 'receipt',
        recipient: facts.email,
        subject: rendered.subject,
        html: rendered.html,
        textBody: rendered.text,
        contentDigest: `order:${orderId}`,
        status: facts.email ? 'queued' : 'skipped',
        skipReason: facts.email ? null : 'no_email',
        attempts: 0,
      })
      .orIgnore()
      .execute();
    const message = await claimReceipt(this.db.manager, tenantId, orderId);
    if (message) await this.delivery.deliver(this.db.manager, message, tenant);
  }
}
