import type { CheckoutSession, Dispute, PaymentMethod } from '../objects/api-objects';
import type { CheckoutSessionRecord, EmulatorState } from '../objects/emulator-state';
import { unixSeconds } from '../objects/ids';
import { apiErrors } from '../stripe-api-error';
import type { Emit } from '../webhooks/event-log';
import {
  newCheckoutSession,
  newDispute,
  newPayment,
  type PaymentMethodKind,
  type SessionCard,
} from './payment-objects';
import {
  attachPaymentMethod,
  cardError,
  detachPaymentMethod,
  newCustomer,
  paymentMethodsOf,
} from './saved-cards';
import { newCardPaymentMethod, TEST_CARDS, type TestCardToken } from './test-cards';

export interface CompleteOptions {
  method?: PaymentMethodKind;
  email?: string;
  /** The test card the customer enters (default `pm_card_visa`); a declining one pays nothing. */
  card?: TestCardToken;
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
      customerCreation: link.customer_creation,
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
    const card = method === 'card' ? this.enterCard(record, options.card, email) : undefined;
    const { paymentIntent } = newPayment(this.state, record, method, email, card);

    session.status = 'complete';
    session.customer = card?.customer ?? null;
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

  /**
   * The card typed into Checkout. A declining card is refused there and then, as Stripe's page
   * refuses it: a 402 `card_error`, no payment, the session still open. (A card asking for 3-D
   * Secure is authenticated by the person paying, so it pays.) Checkout makes a Customer when
   * `customer_creation` is `always` or the card is to be saved (`setup_future_usage`), and
   * attaches the card to it in the latter case.
   */
  private enterCard(
    record: CheckoutSessionRecord,
    token: TestCardToken = 'pm_card_visa',
    email: string,
  ): SessionCard {
    const decline = TEST_CARDS[token].decline;
    const paymentMethod = newCardPaymentMethod(token, email);
    if (decline && !decline.asksForAuthentication) {
      throw cardError(
        {
          type: 'card_error',
          code: decline.code,
          decline_code: decline.decline_code,
          message: decline.message,
          doc_url: '',
        },
        null,
      );
    }
    this.state.paymentMethods.set(paymentMethod.id, paymentMethod);
    const saveCard = record.paymentIntentData.setup_future_usage !== null;
    if (record.session.customer_creation !== 'always' && !saveCard) {
      return { paymentMethod, customer: null };
    }
    const customer = newCustomer(this.state, { email });
    if (saveCard) attachPaymentMethod(this.state, paymentMethod, customer);
    return { paymentMethod, customer: customer.id };
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

  /**
   * The cardholder or the bank removes a customer's saved card (one, or all of them):
   * `payment_method.detached` for each; a later charge on it is refused.
   */
  detachCard(customerId: string, paymentMethodId?: string): PaymentMethod[] {
    const customer = this.state.customer(customerId);
    const cards = paymentMethodId
      ? [this.state.paymentMethod(paymentMethodId)]
      : paymentMethodsOf(this.state, customer.id);
    if (cards.length === 0 || cards.some((card) => card.customer !== customer.id)) {
      throw apiErrors.state(
        'payment_method_unexpected_state',
        `Customer ${customer.id} has no such card attached.`,
      );
    }
    for (const card of cards) {
      detachPaymentMethod(this.state, card);
      this.unprompted('payment_method.detached', card, { customer: customer.id });
    }
    return cards;
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
