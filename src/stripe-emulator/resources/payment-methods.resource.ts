import { listPage, listParams } from '../objects/list-page';
import { expandParam, param, validateParams } from '../params/param-spec';
import {
  attachPaymentMethod,
  detachPaymentMethod,
  paymentMethodsOf,
  resolvePaymentMethod,
} from '../payments/saved-cards';
import { paramErrors } from '../stripe-api-error';
import type { ApiRoute } from './api-route';
import { present } from './expand';

const retrievePaymentMethod = { expand: expandParam } as const;

const attach = { customer: param.string({ required: true }), expand: expandParam } as const;

const detach = { expand: expandParam } as const;

const listPaymentMethods = {
  ...listParams,
  customer: param.string(),
  type: param.oneOf(['card']),
} as const;

/** Cards: Stripe's test tokens (`pm_card_visa`, …) become PaymentMethods; attach, detach, list. */
export const paymentMethodRoutes: ApiRoute[] = [
  {
    method: 'GET',
    path: '/v1/payment_methods/:id',
    handle: ({ state, params, pathParams }) => {
      const input = validateParams(retrievePaymentMethod, params);
      return { body: present(state, state.paymentMethod(pathParams.id), input.expand) };
    },
  },
  {
    method: 'POST',
    path: '/v1/payment_methods/:id/attach',
    handle: ({ state, params, pathParams }) => {
      const input = validateParams(attach, params);
      const customer = state.customer(input.customer, 'customer');
      const paymentMethod = resolvePaymentMethod(state, pathParams.id, 'id', customer.email);
      attachPaymentMethod(state, paymentMethod, customer);
      return { body: present(state, paymentMethod, input.expand) };
    },
  },
  {
    method: 'POST',
    path: '/v1/payment_methods/:id/detach',
    handle: ({ state, params, pathParams, emit }) => {
      const input = validateParams(detach, params);
      const paymentMethod = state.paymentMethod(pathParams.id);
      const customer = detachPaymentMethod(state, paymentMethod);
      emit('payment_method.detached', paymentMethod, { customer });
      return { body: present(state, paymentMethod, input.expand) };
    },
  },
  {
    method: 'GET',
    path: '/v1/payment_methods',
    handle: ({ state, params }) => {
      const input = validateParams(listPaymentMethods, params);
      if (!input.customer) throw paramErrors.missing('customer');
      const customer = state.customer(input.customer, 'customer');
      const page = listPage(
        paymentMethodsOf(state, customer.id),
        (paymentMethod) => !input.type || paymentMethod.type === input.type,
        input,
        '/v1/payment_methods',
        'payment_method',
      );
      return { body: present(state, page, input.expand) };
    },
  },
];
