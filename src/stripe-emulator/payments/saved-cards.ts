import type {
  Charge,
  Customer,
  Metadata,
  PaymentError,
  PaymentIntent,
  PaymentMethod,
} from '../objects/api-objects';
import type { EmulatorState } from '../objects/emulator-state';
import { newId, unixSeconds } from '../objects/ids';
import { apiErrors, StripeApiError } from '../stripe-api-error';
import { isTestCardToken, newCardPaymentMethod, type CardDecline } from './test-cards';

export interface NewCustomer {
  email?: string | null;
  name?: string | null;
  phone?: string | null;
  description?: string | null;
  metadata?: Metadata;
}

export function newCustomer(state: EmulatorState, fields: NewCustomer): Customer {
  const id = newId.customer();
  const customer: Customer = {
    id,
    object: 'customer',
    address: null,
    balance: 0,
    created: unixSeconds(),
    currency: null,
    default_source: null,
    delinquent: false,
    description: fields.description ?? null,
    discount: null,
    email: fields.email ?? null,
    invoice_prefix: id.slice(4, 12).toUpperCase(),
    invoice_settings: {
      custom_fields: null,
      default_payment_method: null,
      footer: null,
      rendering_options: null,
    },
    livemode: false,
    metadata: fields.metadata ?? {},
    name: fields.name ?? null,
    next_invoice_sequence: 1,
    phone: fields.phone ?? null,
    preferred_locales: [],
    shipping: null,
    tax_exempt: 'none',
    test_clock: null,
  };
  state.customers.set(id, customer);
  return customer;
}

/**
 * The PaymentMethod a parameter names: a stored one, or a test token (`pm_card_visa`, …), which
 * makes a new PaymentMethod of that test card each time, as on Stripe.
 */
export function resolvePaymentMethod(
  state: EmulatorState,
  idOrToken: string,
  param: string,
  email: string | null = null,
): PaymentMethod {
  if (isTestCardToken(idOrToken)) {
    const paymentMethod = newCardPaymentMethod(idOrToken, email);
    state.paymentMethods.set(paymentMethod.id, paymentMethod);
    return paymentMethod;
  }
  return state.paymentMethod(idOrToken, param);
}

/** A detached PaymentMethod cannot be used again (Stripe's answer, word for word in spirit). */
export function refuseIfDetached(
  state: EmulatorState,
  paymentMethod: PaymentMethod,
  param: string,
): void {
  if (!state.detachedPaymentMethods.has(paymentMethod.id)) return;
  throw apiErrors.state(
    'payment_method_unexpected_state',
    `The provided PaymentMethod was previously used with a PaymentIntent without Customer attachment, shared with a connected account without Customer attachment, or was detached from a Customer. It may not be used again. To use a PaymentMethod multiple times, you must attach it to a Customer first.`,
    param,
  );
}

export function attachPaymentMethod(
  state: EmulatorState,
  paymentMethod: PaymentMethod,
  customer: Customer,
): PaymentMethod {
  refuseIfDetached(state, paymentMethod, 'payment_method');
  if (paymentMethod.customer && paymentMethod.customer !== customer.id) {
    throw apiErrors.state(
      'payment_method_unexpected_state',
      `The payment method you provided has already been attached to a customer.`,
      'payment_method',
    );
  }
  paymentMethod.customer = customer.id;
  return paymentMethod;
}

/** Detaches a PaymentMethod from its customer for good; returns the customer it had. */
export function detachPaymentMethod(state: EmulatorState, paymentMethod: PaymentMethod): string {
  const customer = paymentMethod.customer;
  if (!customer) {
    throw apiErrors.state(
      'payment_method_unexpected_state',
      `The payment method you provided is not attached to a customer so detachment is impossible.`,
    );
  }
  paymentMethod.customer = null;
  state.detachedPaymentMethods.add(paymentMethod.id);
  const owner = state.customers.get(customer);
  if (owner?.invoice_settings.default_payment_method === paymentMethod.id) {
    owner.invoice_settings.default_payment_method = null;
  }
  return customer;
}

/** A customer's attached PaymentMethods, newest first. */
export function paymentMethodsOf(state: EmulatorState, customerId: string): PaymentMethod[] {
  return [...state.paymentMethods.values()]
    .filter((paymentMethod) => paymentMethod.customer === customerId)
    .reverse();
}

export interface CardCharge {
  amount: number;
  currency: string;
  customer: string | null;
  description: string | null;
  email: string | null;
  paymentIntentId: string;
  paymentMethod: PaymentMethod;
  decline: CardDecline | null;
}

/** The charge a card confirmation makes: succeeded, or failed with the issuer's decline. */
export function newCardCharge(state: EmulatorState, fields: CardCharge): Charge {
  const { decline, paymentMethod } = fields;
  const charge: Charge = {
    id: newId.charge(),
    object: 'charge',
    amount: fields.amount,
    amount_captured: decline ? 0 : fields.amount,
    amount_refunded: 0,
    balance_transaction: null,
    billing_details: { address: null, email: fields.email ?? '', name: null, phone: null },
    captured: !decline,
    created: unixSeconds(),
    currency: fields.currency,
    customer: fields.customer,
    description: fields.description,
    disputed: false,
    failure_code: decline?.code ?? null,
    failure_message: decline?.message ?? null,
    livemode: false,
    metadata: {},
    outcome: decline
      ? {
          network_status: 'declined_by_network',
          reason: decline.decline_code,
          risk_level: 'normal',
          seller_message: 'The bank did not return any further details with this decline.',
          type: 'issuer_declined',
        }
      : {
          network_status: 'approved_by_network',
          reason: null,
          risk_level: 'normal',
          seller_message: 'Payment complete.',
          type: 'authorized',
        },
    paid: !decline,
    payment_intent: fields.paymentIntentId,
    payment_method: paymentMethod.id,
    payment_method_details: {
      type: 'card',
      card: {
        brand: paymentMethod.card.brand,
        last4: paymentMethod.card.last4,
        exp_month: paymentMethod.card.exp_month,
        exp_year: paymentMethod.card.exp_year,
      },
    },
    receipt_email: fields.email,
    refunded: false,
    status: decline ? 'failed' : 'succeeded',
  };
  state.charges.set(charge.id, charge);
  return charge;
}

/** What a declined confirmation leaves on the PaymentIntent (`last_payment_error`). */
export function paymentErrorOf(
  decline: CardDecline,
  charge: Charge,
  paymentMethod: PaymentMethod,
): PaymentError {
  return {
    type: 'card_error',
    code: decline.code,
    decline_code: decline.decline_code,
    message: decline.message,
    ...(decline.code === 'expired_card' && { param: 'exp_month' }),
    charge: charge.id,
    doc_url: `https://stripe.com/docs/error-codes/${decline.code.replace(/_/g, '-')}`,
    payment_method: structuredClone(paymentMethod),
  };
}

/** Stripe's 402: the card error, with the PaymentIntent as it now is. Replayed for the same key. */
export function cardError(
  error: PaymentError,
  paymentIntent: PaymentIntent | null,
): StripeApiError {
  const { type: _type, code, message, param, doc_url: _docUrl, ...details } = error;
  return new StripeApiError(402, 'card_error', code, message, param, true, {
    ...details,
    ...(paymentIntent && { payment_intent: structuredClone(paymentIntent) }),
  });
}
