import { Injectable, Logger } from '@nestjs/common';
import { Tenant } from '../../club/entities/tenant.entity';
import { StoppedForShutdown } from '../../jobs/jobs.service';
import { BrandedMailer } from '../../mailer/branded-mailer.service';
import { MailContentRefused, MailDeliveryError } from '../../mailer/mail.errors';
import {
  ClaimedMessage,
  DeliveryOutcome,
  EmailMessagesRepository,
} from '../repositories/email-messages.repository';

/**
 * How long outcomes gather before they are written: a few messages' worth at full speed. A
 * message answered but not yet recorded is, after a crash, "possibly delivered", never resent.
 */
const RECORD_GATHER_MS = 10;

/**
 * Hands claimed (`sending`) messages to the mailer and records what the server said. The claim
 * was committed first, so a worker that dies here leaves the row `sending`: possibly delivered,
 * and never sent again without an admin's retry.
 */
@Injectable()
export class MessageDeliveryService {
  private readonly logger = new Logger(MessageDeliveryService.name);

  constructor(
    private readonly mailer: BrandedMailer,
    private readonly messages: EmailMessagesRepository,
  ) {}

  async deliver(message: ClaimedMessage, club: Tenant): Promise<void> {
    await this.messages.recordDeliveries(club.id, [await this.send(message, club)]);
  }

  /**
   * Sends every message `claim` hands out, as many at once as the mailer can carry
   * (`concurrency`) plus a few claimed ahead, so a connection that frees up finds the next
   * message ready while the worker claims more. It claims only when there is room, so each claim
   * is committed just before its messages go out, and records outcomes in batches while later
   * messages are on the wire. An unexpected error, or `stopping` (a shutdown), stops the claiming;
   * what is on the wire still finishes and is recorded, then the error (or `StoppedForShutdown`,
   * when messages may be left) is thrown.
   */
  async deliverAll(
    club: Tenant,
    claim: (limit: number) => Promise<ClaimedMessage[]>,
    stopping?: AbortSignal,
  ): Promise<void> {
    const concurrency = Math.max(1, this.mailer.concurrency);
    let answered = 0;
    let failure: { error: unknown } | undefined;
    const fail = (error: unknown) => (failure ??= { error });
    const recorder = new OutcomeRecorder(
      (outcomes) => this.messages.recordDeliveries(club.id, outcomes),
      fail,
      RECORD_GATHER_MS,
    );
    const onTheWire = new Set<Promise<void>>();
    let drained = false;
    for (;;) {
      const room = concurrency + claimedAhead(concurrency, answered) - onTheWire.size;
      if (room > 0 && !drained && !failure && !stopping?.aborted) {
        let messages: ClaimedMessage[];
        try {
          messages = await claim(room);
        } catch (error) {
          fail(error);
          continue;
        }
        drained = messages.length < room;
        for (const message of messages) {
          const sending: Promise<void> = this.send(message, club)
            .then(
              (outcome) => {
                answered += 1;
                recorder.add(outcome);
              },
              (error: unknown) => void fail(error),
            )
            .finally(() => onTheWire.delete(sending));
          onTheWire.add(sending);
        }
        continue;
      }
      if (onTheWire.size === 0) break;
      await Promise.race(onTheWire);
    }
    await recorder.flushed();
    if (failure) throw failure.error;
    if (!drained) throw new StoppedForShutdown();
  }

  /** One message to the mailer; a refusal is an outcome, anything else is thrown. */
  private async send(message: ClaimedMessage, club: Tenant): Promise<DeliveryOutcome> {
    try {
      const delivered = await this.mailer.send({
        to: message.recipient!,
        subject: message.subject,
        html: message.html ?? '',
        text: message.textBody ?? '',
        fromName: club.fromName,
        replyTo: club.replyTo,
        headers: message.blastId ? { 'X-Courtside-Blast': String(message.blastId) } : {},
      });
      return { messageId: message.id, providerMessageId: delivered.messageId };
    } catch (error) {
      if (!(error instanceof MailDeliveryError || error instanceof MailContentRefused)) throw error;
      this.logger.warn(
        { messageId: message.id, blastId: message.blastId, error: error.message },
        'Mail not delivered',
      );
      return { messageId: message.id, error: error.message };
    }
  }
}

/**
 * How many claimed messages may wait behind those on the wire: one at first, one more for each
 * `concurrency` messages the server has answered, up to `concurrency`. A claimed message is
 * never sent again, so after a crash (or a cancel) each one is "possibly delivered"; a blast
 * that has just started, or a server that answers slowly, keeps that number small.
 */
export function claimedAhead(concurrency: number, answered: number): number {
  return Math.min(concurrency, 1 + Math.floor(answered / concurrency));
}

/**
 * Writes outcomes a batch at a time, one statement at a time: a batch is what arrived while the
 * last one was being written, or within `gatherMs` of its first outcome, so a busy blast costs
 * a statement per several messages rather than one per message.
 */
export class OutcomeRecorder {
  private pending: DeliveryOutcome[] = [];
  private writing?: Promise<void>;
  private gathering?: { timer: NodeJS.Timeout; done: () => void };
  private flushing = false;

  constructor(
    private readonly write: (outcomes: DeliveryOutcome[]) => Promise<void>,
    private readonly onError: (error: unknown) => void,
    private readonly gatherMs = 0,
  ) {}

  add(outcome: DeliveryOutcome): void {
    this.pending.push(outcome);
    this.writing ??= this.drain();
  }

  /** Resolves once everything added so far has been written (or has failed to be). */
  async flushed(): Promise<void> {
    this.flushing = true;
    try {
      while (this.writing) {
        this.stopGathering();
        await this.writing;
      }
    } finally {
      this.flushing = false;
    }
  }

  private async drain(): Promise<void> {
    try {
      while (this.pending.length > 0) {
        if (this.gatherMs > 0 && !this.flushing)
          await new Promise<void>((done) => {
            this.gathering = { timer: setTimeout(done, this.gatherMs), done };
          });
        this.gathering = undefined;
        await this.write(this.pending.splice(0));
      }
    } catch (error) {
      // The rows stay `sending`: after a while they count as interrupted, never as unsent.
      this.pending = [];
      this.onError(error);
    } finally {
      this.writing = undefined;
    }
  }

  private stopGathering(): void {
    if (!this.gathering) return;
    clearTimeout(this.gathering.timer);
    this.gathering.done();
    this.gathering = undefined;
  }
}
