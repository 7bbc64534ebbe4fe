import type { Charge, Refund } from '../objects/api-objects';
import type { EmulatorState } from '../objects/emulator-state';
import { newId, unixSeconds } from '../objects/ids';
import { metadataOnCreate } from '../objects/metadata';
import { formatMoney } from '../objects/money';
import { expandParam, param, validateParams } from '../params/param-spec';
import { apiErrors, paramErrors } from '../stripe-api-error';
import type { ApiRoute } from './api-route';
import { present } from './expand';

const createRefund = {
  payment_intent: param.string(),
  charge: param.string(),
  amount: param.integer({ min: 1 }),
  reason: param.oneOf(['duplicate', 'fraudulent', 'requested_by_customer']),
  metadata: param.metadata(),
  expand: expandParam,
} as const;

const retrieveRefund = { expand: expandParam } as const;

export const refundRoutes: ApiRoute[] = [
  {
    method: 'POST',
    path: '/v1/refunds',
    handle: ({ state, params, emit }) => {
      const input = validateParams(createRefund, params);
      const charge = refundableCharge(state, input);
      const remaining = charge.amount - charge.amount_refunded;
      const amount = input.amount ?? remaining;
      if (amount > remaining) {
        throw apiErrors.state(
          'amount_too_large',
          `Refund amount (${formatMoney(amount, charge.currency)}) is greater than unrefunded amount on charge (${formatMoney(remaining, charge.currency)})`,
          'amount',
        );
      }
      const refund: Refund = {
        id: newId.refund(),
        object: 'refund',
        amount,
        balance_transaction: null,
        charge: charge.id,
        created: unixSeconds(),
        currency: charge.currency,
        metadata: metadataOnCreate(input.metadata),
        payment_intent: charge.payment_intent,
        reason: input.reason ?? null,
        receipt_number: null,
        source_transfer_reversal: null,
        status: 'succeeded',
        transfer_reversal: null,
      };
      state.refunds.set(refund.id, refund);

      const previous: Record<string, unknown> = { amount_refunded: charge.amount_refunded };
      charge.amount_refunded += amount;
      if (charge.amount_refunded === charge.amount) {
        previous.refunded = charge.refunded;
        charge.refunded = true;
      }
      emit('charge.refunded', charge, previous);
      return { body: present(state, refund, input.expand) };
    },
  },
  {
    method: 'GET',
    path: '/v1/refunds/:id',
    handle: ({ state, params, pathParams }) => {
      const input = validateParams(retrieveRefund, params);
      return { body: present(state, state.refund(pathParams.id), input.expand) };
    },
  },
];

/** The settled charge behind `payment_intent` or `charge`, with something left to refund. */
function refundableCharge(
  state: EmulatorState,
  input: { payment_intent?: string | null; charge?: string | null },
): Charge {
  if (input.payment_intent && input.charge) {
    throw paramErrors.exclusive(['payment_intent', 'charge']);
  }
  let charge: Charge | undefined;
  if (input.payment_intent) {
    const paymentIntent = state.paymentIntent(input.payment_intent, 'payment_intent');
    charge = paymentIntent.latest_charge ? state.charge(paymentIntent.latest_charge) : undefined;
    if (paymentIntent.status !== 'succeeded' || !charge) {
      throw apiErrors.state(
        'charge_not_refundable',
        `This PaymentIntent (${paymentIntent.id}) does not have a successful charge to refund.`,
        'payment_intent',
      );
    }
  } else if (input.charge) {
    charge = state.charge(input.charge, 'charge');
  } else {
    throw paramErrors.missing('payment_intent');
  }
  if (charge.status !== 'succeeded') {
    throw apiErrors.state(
      'charge_not_refundable',
      `Charge ${charge.id} has not succeeded; there is nothing to refund.`,
      'charge',
    );
  }
  if (charge.disputed) {
    throw apiErrors.state(
      'charge_disputed',
      `Charge ${charge.id} has been charged back; cannot issue a refund.`,
    );
  }
  if (charge.amount_refunded >= charge.amount) {
    throw apiErrors.state(
      'charge_already_refunded',
      `Charge ${charge.id} has already been refunded.`,
    );
  }
  return charge;
}
