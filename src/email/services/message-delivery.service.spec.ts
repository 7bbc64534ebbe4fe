import type { Tenant } from '../../club/entities/tenant.entity';
import type { BrandedMailer, MailToSend } from '../../mailer/branded-mailer.service';
import { StoppedForShutdown } from '../../jobs/jobs.service';
import { MailDeliveryError } from '../../mailer/mail.errors';
import type {
  ClaimedMessage,
  DeliveryOutcome,
  EmailMessagesRepository,
} from '../repositories/email-messages.repository';
import { claimedAhead, MessageDeliveryService, OutcomeRecorder } from './message-delivery.service';

const club = { id: 7, fromName: 'Riverside Hoops', replyTo: null } as Tenant;

function message(id: number): ClaimedMessage {
  return {
    id,
    blastId: 3,
    recipient: `family-${id}@families.example`,
    subject: 'Your statement',
    html: '<p>Statement</p>',
    textBody: 'Statement',
  };
}

/**
 * A queue of claimable messages, a mailer whose sends finish a few ticks later (or fail as
 * told), and a repository that keeps what `recordDeliveries` writes.
 */
function harness(
  count: number,
  options: {
    concurrency?: number;
    failWith?: (mail: MailToSend) => Error | undefined;
    stopping?: AbortSignal;
  } = {},
) {
  const queued = Array.from({ length: count }, (_, i) => message(i + 1));
  const state = {
    claims: [] as number[],
    sent: [] as string[],
    recorded: [] as DeliveryOutcome[],
    writes: 0,
    claimedNotAnswered: 0,
    mostClaimedNotAnswered: 0,
  };
  const mailer = {
    concurrency: options.concurrency ?? 3,
    send: async (mail: MailToSend) => {
      state.sent.push(mail.to);
      for (let tick = 0; tick < 1 + (state.sent.length % 4); tick++)
        await new Promise((resolve) => setImmediate(resolve));
      state.claimedNotAnswered -= 1;
      const failure = options.failWith?.(mail);
      if (failure) throw failure;
      return { messageId: `<${mail.to}>` };
    },
  } as unknown as BrandedMailer;
  const messages = {
    recordDeliveries: async (_tenantId: number, outcomes: DeliveryOutcome[]) => {
      state.writes += 1;
      await new Promise((resolve) => setImmediate(resolve));
      state.recorded.push(...outcomes);
    },
  } as unknown as EmailMessagesRepository;
  const claim = async (limit: number) => {
    state.claims.push(limit);
    await new Promise((resolve) => setImmediate(resolve));
    const taken = queued.splice(0, limit);
    state.claimedNotAnswered += taken.length;
    state.mostClaimedNotAnswered = Math.max(state.mostClaimedNotAnswered, state.claimedNotAnswered);
    return taken;
  };
  const service = new MessageDeliveryService(mailer, messages);
  return {
    state,
    queued,
    deliverAll: () => service.deliverAll(club, claim, options.stopping),
  };
}

describe('MessageDeliveryService.deliverAll', () => {
  it('sends each claimed message exactly once, several at a time, and records every outcome', async () => {
    const { state, deliverAll } = harness(40);

    await deliverAll();

    expect(state.sent).toHaveLength(40);
    expect(new Set(state.sent).size).toBe(40);
    expect(state.recorded.map((outcome) => outcome.messageId).sort((a, b) => a - b)).toEqual(
      Array.from({ length: 40 }, (_, i) => i + 1),
    );
    expect(state.recorded.every((outcome) => 'providerMessageId' in outcome)).toBe(true);
    // Several messages were on their way at once, and outcomes were written in batches.
    expect(state.mostClaimedNotAnswered).toBeGreaterThan(1);
    expect(state.writes).toBeLessThan(40);
  });

  it('never has more claimed and unanswered than the connections plus as many waiting', async () => {
    const { state, deliverAll } = harness(60, { concurrency: 3 });

    await deliverAll();

    expect(state.mostClaimedNotAnswered).toBeLessThanOrEqual(6);
    // A blast that has just started claims one message ahead, not more.
    expect(state.claims[0]).toBe(4);
  });

  it('records a refused message as failed and still sends the others', async () => {
    const refused = message(5).recipient!;
    const { state, deliverAll } = harness(10, {
      failWith: (mail) =>
        mail.to === refused
          ? new MailDeliveryError('550 no such mailbox', mail.to, true)
          : undefined,
    });

    await deliverAll();

    expect(state.sent).toHaveLength(10);
    expect(state.recorded).toContainEqual({ messageId: 5, error: '550 no such mailbox' });
    expect(state.recorded.filter((outcome) => 'providerMessageId' in outcome)).toHaveLength(9);
  });

  it('an unexpected error stops the claiming; what was on the wire is recorded, nothing is sent twice', async () => {
    const dying = message(6).recipient!;
    const { state, queued, deliverAll } = harness(30, {
      failWith: (mail) => (mail.to === dying ? new Error('worker died') : undefined),
    });

    await expect(deliverAll()).rejects.toThrow('worker died');

    expect(new Set(state.sent).size).toBe(state.sent.length);
    expect(queued.length).toBeGreaterThan(0);
    // Every claimed message was handed over once; all but the failed one are recorded.
    expect(state.sent).toHaveLength(30 - queued.length);
    expect(state.recorded).toHaveLength(state.sent.length - 1);
    expect(state.recorded.some((outcome) => outcome.messageId === 6)).toBe(false);
  });

  it('a shutdown stops the claiming; every claimed message is still sent and recorded, the rest stay queued for the rerun', async () => {
    const shutdown = new AbortController();
    const { state, queued, deliverAll } = harness(30, {
      failWith: (mail) => {
        if (mail.to === message(5).recipient) shutdown.abort();
        return undefined;
      },
      stopping: shutdown.signal,
    });

    await expect(deliverAll()).rejects.toThrow(StoppedForShutdown);

    expect(queued.length).toBeGreaterThan(0);
    expect(state.sent).toHaveLength(30 - queued.length);
    expect(new Set(state.sent).size).toBe(state.sent.length);
    expect(state.recorded.map((outcome) => outcome.messageId).sort((a, b) => a - b)).toEqual(
      state.sent.map((_, i) => i + 1),
    );
  });
});

describe('claimedAhead', () => {
  it('starts at one and grows by one for each `concurrency` answers, up to `concurrency`', () => {
    expect([0, 2, 3, 5, 6, 9, 100].map((answered) => claimedAhead(3, answered))).toEqual([
      1, 1, 2, 2, 3, 3, 3,
    ]);
    expect(claimedAhead(1, 50)).toBe(1);
  });
});

describe('OutcomeRecorder', () => {
  it('writes what arrives while a write is running in the next one', async () => {
    const writes: number[][] = [];
    let release: () => void = () => undefined;
    const recorder = new OutcomeRecorder(async (outcomes) => {
      writes.push(outcomes.map((outcome) => outcome.messageId));
      await new Promise<void>((resolve) => (release = resolve));
    }, jest.fn());

    recorder.add({ messageId: 1, providerMessageId: '<1>' });
    recorder.add({ messageId: 2, providerMessageId: '<2>' });
    recorder.add({ messageId: 3, error: 'refused' });
    release();
    await new Promise((resolve) => setImmediate(resolve));
    release();
    await recorder.flushed();

    expect(writes).toEqual([[1], [2, 3]]);
  });

  it('gathers what arrives within `gatherMs` into one write; flushing writes at once', async () => {
    const writes: number[][] = [];
    const recorder = new OutcomeRecorder(
      async (outcomes) => void writes.push(outcomes.map((outcome) => outcome.messageId)),
      jest.fn(),
      60_000,
    );

    recorder.add({ messageId: 1, providerMessageId: '<1>' });
    await new Promise((resolve) => setImmediate(resolve));
    recorder.add({ messageId: 2, providerMessageId: '<2>' });
    expect(writes).toEqual([]);
    await recorder.flushed();

    expect(writes).toEqual([[1, 2]]);
  });

  it('a failed write is reported once and the recorder carries on', async () => {
    const onError = jest.fn();
    const writes: number[][] = [];
    const recorder = new OutcomeRecorder(async (outcomes) => {
      writes.push(outcomes.map((outcome) => outcome.messageId));
      if (writes.length === 1) throw new Error('database gone');
    }, onError);

    recorder.add({ messageId: 1, providerMessageId: '<1>' });
    await recorder.flushed();
    recorder.add({ messageId: 2, providerMessageId: '<2>' });
    await recorder.flushed();

    expect(onError).toHaveBeenCalledTimes(1);
    expect(writes).toEqual([[1], [2]]);
  });
});
