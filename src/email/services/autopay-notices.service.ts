import { Injectable, OnModuleInit } from '@nestjs/common';
import { secondsUntilMailable } from '../../common/month/billing-month';
import { JobsService } from '../../jobs/jobs.service';
import { BrandedMailer } from '../../mailer/branded-mailer.service';
import { AutopayNoticesRepository } from '../repositories/autopay-notices.repository';
import { EmailMessagesRepository } from '../repositories/email-messages.repository';
import { familyMessage } from '../family-message';
import { MessageDeliveryService } from './message-delivery.service';

const AUTOPAY_FAILED_QUEUE = 'email.autopay-failed';

/**
 * "We could not charge your card": one mail per family per month run, whatever failed and however
 * often the run is repeated (the message row's key), sent from `queued` like every message.
 */
@Injectable()
export class AutopayNoticesService implements OnModuleInit {
  constructor(
    private readonly mailer: BrandedMailer,
    private readonly jobs: JobsService,
    private readonly delivery: MessageDeliveryService,
    private readonly notices: AutopayNoticesRepository,
    private readonly messages: EmailMessagesRepository,
  ) {}

  onModuleInit(): void {
    this.jobs.handle<{ tenantId: number; runId: number; parentId: number }>(
      AUTOPAY_FAILED_QUEUE,
      (job) => this.send(job.tenantId, job.runId, job.parentId),
    );
  }

  /**
   * Queued, so the run never waits on the mail server (a CLI run needs no worker of its own);
   * held until the club's quiet hours end.
   */
  async enqueue(tenantId: number, runId: number, parentId: number): Promise<void> {
    const club = await this.messages.sender(tenantId);
    await this.jobs.send(
      AUTOPAY_FAILED_QUEUE,
      { tenantId, runId, parentId },
      { startAfterSeconds: secondsUntilMailable(new Date(), club) },
    );
  }

  async send(tenantId: number, runId: number, parentId: number): Promise<void> {
    const key = `autopay-failed:${runId}:${parentId}`;
    const facts = await this.notices.facts(tenantId, runId, parentId);
    if (facts) {
      const tenant = await this.messages.sender(tenantId);
      const rendered = this.mailer.render('autopay_failed', {
        tenant,
        data: {
          parentName: facts.parent_name,
          month: facts.month,
          card: facts.card_last4
            ? `${capitalise(facts.card_brand ?? 'card')} ending ${facts.card_last4}`
            : null,
          reason: facts.reason,
          items: facts.items.map((item) => ({
            playerName: item.player_name,
            itemName: item.item,
            amountCents: item.amount_cents,
            currency: item.currency,
            payUrl: item.pay_url,
          })),
        },
      });
      await this.notices.insertOnce(tenantId, key, familyMessage(parentId, facts.email, rendered));
    }
    const message = await this.messages.claimKeyed(tenantId, key);
    if (message) await this.delivery.deliver(message, await this.messages.sender(tenantId));
  }
}

function capitalise(word: string): string {
  return word.charAt(0).toUpperCase() + word.slice(1);
}
