import type {
  Charge,
  CheckoutSession,
  CustomerCreation,
  Dispute,
  Metadata,
  PaymentIntent,
  PaymentMethod,
} from '../objects/api-objects';
import type {
  CheckoutSessionRecord,
  EmulatorState,
  LineItemRef,
  PaymentIntentTemplate,
} from '../objects/emulator-state';
import { newId, unixSeconds } from '../objects/ids';
import { totalOf } from '../resources/line-items';
import { newCardCharge } from './saved-cards';

/** Checkout Sessions live 24 hours unless `expires_at` says otherwise. */
export const SESSION_LIFETIME_SECONDS = 24 * 60 * 60;

export type PaymentMethodKind = 'card' | 'bank_debit';

export interface NewCheckoutSession {
  lineItems: LineItemRef[];
  paymentIntentData: PaymentIntentTemplate;
  metadata: Metadata;
  paymentLink: string | null;
  paymentMethodTypes: string[];
  clientReferenceId?: string | null;
  customerEmail?: string | null;
  expiresAt?: number | null;
  successUrl?: string | null;
  cancelUrl?: string | null;
  customerCreation?: CustomerCreation | null;
}

export function newCheckoutSession(
  state: EmulatorState,
  fields: NewCheckoutSession,
): CheckoutSessionRecord {
  const id = newId.checkoutSession();
  const created = unixSeconds();
  const amount = totalOf(state, fields.lineItems);
  const session: CheckoutSession = {
    id,
    object: 'checkout.session',
    after_expiration: null,
    allow_promotion_codes: null,
    amount_subtotal: amount,
    amount_total: amount,
    automatic_tax: { enabled: false, liability: null, status: null },
    billing_address_collection: null,
    cancel_url: fields.cancelUrl ?? null,
    client_reference_id: fields.clientReferenceId ?? null,
    client_secret: null,
    consent: null,
    consent_collection: null,
    created,
    currency: state.price(fields.lineItems[0].price).currency,
    custom_fields: [],
    customer: null,
    customer_creation: fields.customerCreation ?? 'if_required',
    customer_details: null,
    customer_email: fields.customerEmail ?? null,
    expires_at: fields.expiresAt ?? created + SESSION_LIFETIME_SECONDS,
    invoice: null,
    livemode: false,
    locale: null,
    metadata: { ...fields.metadata },
    mode: 'payment',
    payment_intent: null,
    payment_link: fields.paymentLink,
    payment_method_collection: 'if_required',
    payment_method_types: fields.paymentMethodTypes,
    payment_status: 'unpaid',
    recovered_from: null,
    setup_intent: null,
    shipping_address_collection: null,
    shipping_cost: null,
    shipping_options: [],
    status: 'open',
    submit_type: null,
    subscription: null,
    success_url: fields.successUrl ?? null,
    total_details: { amount_discount: 0, amount_shipping: 0, amount_tax: 0 },
    ui_mode: 'hosted',
    url: `${state.publicUrl}/c/pay/${id}`,
  };
  const record = {
    session,
    lineItems: fields.lineItems,
    paymentIntentData: fields.paymentIntentData,
  };
  state.checkoutSessions.set(id, record);
  return record;
}

/** The card a customer pays a session with, and the Customer it is saved to (or none). */
export interface SessionCard {
  paymentMethod: PaymentMethod;
  customer: string | null;
}

/**
 * The PaymentIntent and Charge a completed session produces: settled for a card (`card` says
 * which, and its customer), pending for a debit.
 */
export function newPayment(
  state: EmulatorState,
  record: CheckoutSessionRecord,
  method: PaymentMethodKind,
  email: string,
  card?: SessionCard,
): { paymentIntent: PaymentIntent; charge: Charge } {
  const { session, paymentIntentData } = record;
  const created = unixSeconds();
  const paymentIntentId = newId.paymentIntent();
  const settled = method === 'card';
  const customer = card?.customer ?? null;
  const charge: Charge = card
    ? newCardCharge(state, {
        amount: session.amount_total,
        currency: session.currency,
        customer,
        description: paymentIntentData.description,
        email,
        paymentIntentId,
        paymentMethod: card.paymentMethod,
        decline: null,
      })
    : {
        id: newId.charge(),
        object: 'charge',
        amount: session.amount_total,
        amount_captured: session.amount_total,
        amount_refunded: 0,
        balance_transaction: null,
        billing_details: { address: null, email, name: null, phone: null },
        captured: true,
        created,
        currency: session.currency,
        customer: null,
        description: paymentIntentData.description,
        disputed: false,
        failure_code: null,
        failure_message: null,
        livemode: false,
        metadata: {},
        paid: settled,
        payment_intent: paymentIntentId,
        payment_method: newId.paymentMethod(),
        payment_method_details: settled
          ? { type: 'card', card: { brand: 'visa', last4: '4242', exp_month: 12, exp_year: 2034 } }
          : {
              type: 'us_bank_account',
              us_bank_account: { bank_name: 'STRIPE TEST BANK', last4: '6789' },
            },
        receipt_email: email,
        refunded: false,
        status: settled ? 'succeeded' : 'pending',
      };
  const paymentIntent: PaymentIntent = {
    id: paymentIntentId,
    object: 'payment_intent',
    amount: session.amount_total,
    amount_capturable: 0,
    amount_received: settled ? session.amount_total : 0,
    application: null,
    application_fee_amount: null,
    automatic_payment_methods: null,
    canceled_at: null,
    cancellation_reason: null,
    capture_method: 'automatic_async',
    client_secret: `${paymentIntentId}_${newId.clientSecretTail()}`,
    confirmation_method: 'automatic',
    created,
    currency: session.currency,
    customer,
    customer_account: null,
    description: paymentIntentData.description,
    last_payment_error: null,
    latest_charge: charge.id,
    livemode: false,
    metadata: { ...paymentIntentData.metadata },
    next_action: null,
    on_behalf_of: null,
    payment_method: charge.payment_method,
    payment_method_types: [settled ? 'card' : 'us_bank_account'],
    processing: null,
    receipt_email: email,
    review: null,
    setup_future_usage: paymentIntentData.setup_future_usage,
    shipping: null,
    source: null,
    statement_descriptor: null,
    statement_descriptor_suffix: null,
    status: settled ? 'succeeded' : 'processing',
    transfer_data: null,
    transfer_group: null,
  };
  state.charges.set(charge.id, charge);
  state.paymentIntents.set(paymentIntent.id, paymentIntent);
  return { paymentIntent, charge };
}

export function newDispute(state: EmulatorState, charge: Charge): Dispute {
  const created = unixSeconds();
  const dispute: Dispute = {
    id: newId.dispute(),
    object: 'dispute',
    amount: charge.amount,
    balance_transactions: [],
    charge: charge.id,
    created,
    currency: charge.currency,
    evidence_details: {
      due_by: created + 7 * 24 * 60 * 60,
      has_evidence: false,
      past_due: false,
      submission_count: 0,
    },
    is_charge_refundable: false,
    livemode: false,
    metadata: {},
    payment_intent: charge.payment_intent,
    reason: 'fraudulent',
    status: 'needs_response',
  };
  state.disputes.set(dispute.id, dispute);
  return dispute;
}
