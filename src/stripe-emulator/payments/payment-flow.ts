import type { CheckoutSession, Dispute } from '../objects/api-objects';
import type { CheckoutSessionRecord, EmulatorState } from '../objects/emulator-state';
import { unixSeconds } from '../objects/ids';
import { apiErrors } from '../stripe-api-error';
import type { Emit } from '../webhooks/event-log';
import {
  newCheckoutSession,
  newDispute,
  newPayment,
  type PaymentMethodKind,
} from './payment-objects';

export interface CompleteOptions {
  method?: PaymentMethodKind;
  email?: string;
}

export type SettleOutcome = 'succeeded' | 'failed';

/**
 * What no API call can do: the customer's side of Checkout, the bank, the card network, time.
 * Their events have no API request behind them and are recorded with `unprompted`.
 */
export class PaymentFlow {
  constructor(
    private readonly state: EmulatorState,
    private readonly unprompted: Emit,
  ) {}

  /** A customer opens a payment link: a new open session carrying the link's metadata. */
  openSession(paymentLinkId: string): CheckoutSessionRecord {
    const { link, lineItems } = this.state.paymentLink(paymentLinkId);
    if (!link.active) {
      throw apiErrors.state(
        'payment_link_inactive',
        `Payment link ${link.id} is no longer active.`,
      );
    }
    return newCheckoutSession(this.state, {
      lineItems,
      metadata: link.metadata,
      paymentLink: link.id,
      paymentMethodTypes: link.payment_method_types ?? ['card', 'us_bank_account'],
      paymentIntentData: {
        metadata: { ...(link.payment_intent_data?.metadata ?? {}) },
        setup_future_usage: link.payment_intent_data?.setup_future_usage ?? null,
        description: link.payment_intent_data?.description ?? null,
      },
    });
  }

  /**
   * The customer pays. A card settles at once (`paid`); a bank debit leaves the session complete
   * but `unpaid` until `settleBankDebit`. A link limited to N completed sessions deactivates at
   * the N-th, yet sessions opened before still complete — as on Stripe.
   */
  completeSession(sessionId: string, options: CompleteOptions = {}): CheckoutSession {
    const record = this.state.checkoutSession(sessionId);
    this.expireIfDue(record);
    const { session } = record;
    if (session.status !== 'open') {
      throw apiErrors.state(
        'checkout_session_not_open',
        `Checkout Session ${session.id} is ${session.status}; only an open session can be paid.`,
      );
    }
    const method = options.method ?? 'card';
    if (method === 'bank_debit' && !session.payment_method_types.includes('us_bank_account')) {
      throw apiErrors.state(
        'payment_method_unavailable',
        `Checkout Session ${session.id} does not accept bank debits.`,
      );
    }
    const email = options.email ?? session.customer_email ?? 'customer@example.com';
    const { paymentIntent } = newPayment(this.state, record, method, email);

    session.status = 'complete';
    session.payment_status = method === 'card' ? 'paid' : 'unpaid';
    session.payment_intent = paymentIntent.id;
    session.customer_details = {
      address: null,
      email,
      name: null,
      phone: null,
      tax_exempt: 'none',
      tax_ids: [],
    };
    session.url = null;
    this.countCompletedSession(session.payment_link);

    if (method === 'card') this.unprompted('payment_intent.succeeded', paymentIntent);
    this.unprompted('checkout.session.completed', session);
    return session;
  }

  /** The bank answers a pending debit. */
  settleBankDebit(sessionId: string, outcome: SettleOutcome): CheckoutSession {
    const { session } = this.state.checkoutSession(sessionId);
    const paymentIntent = session.payment_intent
      ? this.state.paymentIntent(session.payment_intent)
      : undefined;
    if (session.status !== 'complete' || paymentIntent?.status !== 'processing') {
      throw apiErrors.state(
        'payment_not_pending',
        `Checkout Session ${session.id} has no bank debit waiting to settle.`,
      );
    }
    const charge = this.state.charge(paymentIntent.latest_charge ?? '');
    if (outcome === 'succeeded') {
      paymentIntent.status = 'succeeded';
      paymentIntent.amount_received = paymentIntent.amount;
      charge.status = 'succeeded';
      charge.paid = true;
      session.payment_status = 'paid';
      this.unprompted('payment_intent.succeeded', paymentIntent);
      this.unprompted('checkout.session.async_payment_succeeded', session);
    } else {
      paymentIntent.status = 'requires_payment_method';
      paymentIntent.last_payment_error = {
        code: 'payment_method_provider_decline',
        message: 'The bank account has been closed.',
        type: 'invalid_request_error',
      };
      charge.status = 'failed';
      charge.failure_code = 'account_closed';
      charge.failure_message = 'The bank account has been closed.';
      this.unprompted('checkout.session.async_payment_failed', session);
    }
    return session;
  }

  /** Expires an open session now: by an API call (`emit` names it) or by the test. */
  expireSession(sessionId: string, emit: Emit = this.unprompted): CheckoutSession {
    const record = this.state.checkoutSession(sessionId);
    this.expireIfDue(record);
    if (record.session.status !== 'open') {
      throw apiErrors.state(
        'checkout_session_not_open',
        `Only Checkout Sessions with a status of open can be expired. This session has a status of ${record.session.status}.`,
      );
    }
    this.markExpired(record, emit);
    return record.session;
  }

  /** Stripe expires sessions in the background; the emulator does it when a session is next touched. */
  expireIfDue(record: CheckoutSessionRecord): void {
    if (record.session.status === 'open' && unixSeconds() >= record.session.expires_at) {
      this.markExpired(record, this.unprompted);
    }
  }

  /** The cardholder's bank opens a dispute on the payment's charge. */
  dispute(paymentIntentId: string): Dispute {
    const paymentIntent = this.state.paymentIntent(paymentIntentId);
    const charge = paymentIntent.latest_charge
      ? this.state.charge(paymentIntent.latest_charge)
      : undefined;
    if (!charge || charge.status !== 'succeeded') {
      throw apiErrors.state(
        'charge_not_disputable',
        `PaymentIntent ${paymentIntentId} has no successful charge to dispute.`,
      );
    }
    if (charge.disputed) {
      throw apiErrors.state('charge_disputed', `Charge ${charge.id} is already disputed.`);
    }
    charge.disputed = true;
    const dispute = newDispute(this.state, charge);
    this.unprompted('charge.dispute.created', dispute);
    return dispute;
  }

  private markExpired({ session }: CheckoutSessionRecord, emit: Emit): void {
    session.status = 'expired';
    session.url = null;
    emit('checkout.session.expired', session);
  }

  private countCompletedSession(paymentLinkId: string | null): void {
    if (!paymentLinkId) return;
    const { link } = this.state.paymentLink(paymentLinkId);
    if (!link.restrictions) return;
    const completed = link.restrictions.completed_sessions;
    completed.count += 1;
    if (completed.count >= completed.limit) link.active = false;
  }
}
