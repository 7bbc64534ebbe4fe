import type { Customer, PaymentIntent, PaymentMethod } from '../objects/api-objects';
import type { EmulatorState } from '../objects/emulator-state';
import { newId, unixSeconds } from '../objects/ids';
import { metadataOnCreate } from '../objects/metadata';
import { formatMoney } from '../objects/money';
import { expandParam, param, validateParams } from '../params/param-spec';
import {
  attachPaymentMethod,
  cardError,
  newCardCharge,
  paymentErrorOf,
  refuseIfDetached,
  resolvePaymentMethod,
} from '../payments/saved-cards';
import { testCardOf } from '../payments/test-cards';
import { apiErrors, paramErrors } from '../stripe-api-error';
import type { Emit } from '../webhooks/event-log';
import type { ApiRoute } from './api-route';
import { present } from './expand';

const createPaymentIntent = {
  amount: param.integer({ required: true, min: 1, max: 99_999_999 }),
  currency: param.currency({ required: true }),
  customer: param.string(),
  payment_method: param.string(),
  /** `allowed_payment_method_types` and `automatic_payment_methods`: the emulator's are card-only. */
  allowed_payment_method_types: param.list(param.oneOf(['card'])),
  automatic_payment_methods: param.hash({
    enabled: param.boolean({ required: true }),
    allow_redirects: param.oneOf(['always', 'never']),
  }),
  return_url: param.url(),
  confirm: param.boolean(),
  off_session: param.oneOf(['true', 'false', 'one_off', 'recurring']),
  setup_future_usage: param.oneOf(['on_session', 'off_session']),
  description: param.string({ maxLength: 1000 }),
  receipt_email: param.string({ maxLength: 800 }),
  metadata: param.metadata(),
  expand: expandParam,
} as const;

const retrieve = { expand: expandParam } as const;

/** Stripe's smallest charge per currency, for the ones the club uses; others: 50 units. */
const MINIMUM_AMOUNT: Record<string, number> = { usd: 50, eur: 50, cad: 50, gbp: 30 };

export const paymentIntentRoutes: ApiRoute[] = [
  {
    method: 'POST',
    path: '/v1/payment_intents',
    handle: ({ state, params, emit }) => {
      const input = validateParams(createPaymentIntent, params);
      const offSession = input.off_session != null && input.off_session !== 'false';
      if (offSession && !input.confirm) {
        throw paramErrors.invalid(
          'off_session',
          'You may only specify `off_session` when `confirm` is true.',
        );
      }
      const minimum = MINIMUM_AMOUNT[input.currency] ?? 50;
      if (input.amount < minimum) {
        throw apiErrors.state(
          'amount_too_small',
          `Amount must be at least ${formatMoney(minimum, input.currency)}`,
          'amount',
        );
      }
      const customer = input.customer ? state.customer(input.customer, 'customer') : null;
      const paymentMethod = input.payment_method
        ? usablePaymentMethod(state, input.payment_method, customer)
        : null;
      if (input.confirm && !paymentMethod) {
        throw apiErrors.state(
          'payment_intent_unexpected_state',
          "You cannot confirm this PaymentIntent because it's missing a payment method. To confirm the PaymentIntent with a customer's saved payment method, pass the customer's PaymentMethod id in `payment_method`.",
          'payment_method',
        );
      }

      const id = newId.paymentIntent();
      const paymentIntent: PaymentIntent = {
        id,
        object: 'payment_intent',
        amount: input.amount,
        amount_capturable: 0,
        amount_received: 0,
        application: null,
        application_fee_amount: null,
        automatic_payment_methods: input.automatic_payment_methods
          ? {
              allow_redirects: input.automatic_payment_methods.allow_redirects ?? 'always',
              enabled: input.automatic_payment_methods.enabled,
            }
          : null,
        canceled_at: null,
        cancellation_reason: null,
        capture_method: 'automatic_async',
        client_secret: `${id}_${newId.clientSecretTail()}`,
        confirmation_method: 'automatic',
        created: unixSeconds(),
        currency: input.currency,
        customer: customer?.id ?? null,
        customer_account: null,
        description: input.description ?? null,
        last_payment_error: null,
        latest_charge: null,
        livemode: false,
        metadata: metadataOnCreate(input.metadata),
        next_action: null,
        on_behalf_of: null,
        payment_method: paymentMethod?.id ?? null,
        payment_method_types: ['card'],
        processing: null,
        receipt_email: input.receipt_email ?? null,
        review: null,
        setup_future_usage: input.setup_future_usage ?? null,
        shipping: null,
        source: null,
        statement_descriptor: null,
        statement_descriptor_suffix: null,
        status: paymentMethod ? 'requires_confirmation' : 'requires_payment_method',
        transfer_data: null,
        transfer_group: null,
      };
      state.paymentIntents.set(id, paymentIntent);
      if (input.confirm && paymentMethod) {
        confirmCard(state, paymentIntent, paymentMethod, customer, emit);
      }
      return { body: present(state, paymentIntent, input.expand) };
    },
  },
  {
    method: 'GET',
    path: '/v1/payment_intents/:id',
    handle: ({ state, params, pathParams }) => ({
      body: present(
        state,
        state.paymentIntent(pathParams.id),
        validateParams(retrieve, params).expand,
      ),
    }),
  },
];

/**
 * The PaymentMethod `payment_method` names, if this customer may use it: Stripe refuses one that
 * was detached, one attached to another customer, and an attached one without its customer.
 */
function usablePaymentMethod(
  state: EmulatorState,
  idOrToken: string,
  customer: Customer | null,
): PaymentMethod {
  const paymentMethod = resolvePaymentMethod(state, idOrToken, 'payment_method');
  refuseIfDetached(state, paymentMethod, 'payment_method');
  if (paymentMethod.customer && !customer) {
    throw apiErrors.state(
      'parameter_missing',
      `The provided PaymentMethod ${paymentMethod.id} is attached to a Customer. Please include the Customer in the \`customer\` parameter on the PaymentIntent.`,
      'customer',
    );
  }
  if (paymentMethod.customer && customer && paymentMethod.customer !== customer.id) {
    throw apiErrors.state(
      'payment_method_unexpected_state',
      `The provided PaymentMethod ${paymentMethod.id} does not belong to Customer ${customer.id}.`,
      'payment_method',
    );
  }
  return paymentMethod;
}

/**
 * Confirms with a card: its issuer approves (`succeeded`, `payment_intent.succeeded`) or declines
 * (`payment_intent.payment_failed`, then Stripe's 402 `card_error` carrying the PaymentIntent).
 */
function confirmCard(
  state: EmulatorState,
  paymentIntent: PaymentIntent,
  paymentMethod: PaymentMethod,
  customer: Customer | null,
  emit: Emit,
): void {
  const { decline } = testCardOf(paymentMethod);
  const charge = newCardCharge(state, {
    amount: paymentIntent.amount,
    currency: paymentIntent.currency,
    customer: paymentIntent.customer,
    description: paymentIntent.description,
    email: paymentIntent.receipt_email,
    paymentIntentId: paymentIntent.id,
    paymentMethod,
    decline,
  });
  paymentIntent.latest_charge = charge.id;
  if (!decline) {
    paymentIntent.status = 'succeeded';
    paymentIntent.amount_received = paymentIntent.amount;
    if (customer && paymentIntent.setup_future_usage) {
      attachPaymentMethod(state, paymentMethod, customer);
    }
    emit('payment_intent.succeeded', paymentIntent);
    return;
  }
  // Off-session, even a card asking for authentication leaves `requires_payment_method` (Stripe
  // support: "Off-session PaymentIntents that fail confirmation due to SCA requirements have a
  // status of requires_payment_method"); the error's code tells them apart.
  const error = paymentErrorOf(decline, charge, paymentMethod);
  paymentIntent.status = 'requires_payment_method';
  paymentIntent.last_payment_error = error;
  paymentIntent.payment_method = null;
  emit('payment_intent.payment_failed', paymentIntent);
  throw cardError(error, paymentIntent);
}
