import { listPage, listParams } from '../objects/list-page';
import { metadataOnCreate } from '../objects/metadata';
import { expandParam, param, validateParams } from '../params/param-spec';
import {
  attachPaymentMethod,
  newCustomer,
  paymentMethodsOf,
  resolvePaymentMethod,
} from '../payments/saved-cards';
import { paramErrors } from '../stripe-api-error';
import type { ApiRoute } from './api-route';
import { present } from './expand';

const createCustomer = {
  email: param.string({ maxLength: 512 }),
  name: param.string({ maxLength: 256 }),
  phone: param.string({ maxLength: 20 }),
  description: param.string({ maxLength: 350 }),
  metadata: param.metadata(),
  payment_method: param.string(),
  invoice_settings: param.hash({ default_payment_method: param.string() }),
  expand: expandParam,
} as const;

const retrieveCustomer = { expand: expandParam } as const;

const listCustomerPaymentMethods = {
  ...listParams,
  type: param.oneOf(['card']),
} as const;

export const customerRoutes: ApiRoute[] = [
  {
    method: 'POST',
    path: '/v1/customers',
    handle: ({ state, params }) => {
      const input = validateParams(createCustomer, params);
      if (input.email && !/^[^\s@]+@[^\s@]+\.[^\s@]+$/.test(input.email)) {
        throw paramErrors.invalid('email', `Invalid email address: ${input.email}`);
      }
      const paymentMethod = input.payment_method
        ? resolvePaymentMethod(state, input.payment_method, 'payment_method', input.email ?? null)
        : null;
      const customer = newCustomer(state, {
        email: input.email,
        name: input.name,
        phone: input.phone,
        description: input.description,
        metadata: metadataOnCreate(input.metadata),
      });
      if (paymentMethod) attachPaymentMethod(state, paymentMethod, customer);
      const defaultMethod = input.invoice_settings?.default_payment_method;
      if (defaultMethod) {
        const param = 'invoice_settings[default_payment_method]';
        const chosen =
          paymentMethod && [paymentMethod.id, input.payment_method].includes(defaultMethod)
            ? paymentMethod
            : state.paymentMethod(defaultMethod, param);
        if (chosen.customer !== customer.id) {
          throw paramErrors.invalid(
            param,
            `The PaymentMethod ${chosen.id} must be attached to this customer to be its default.`,
          );
        }
        customer.invoice_settings.default_payment_method = chosen.id;
      }
      return { body: present(state, customer, input.expand) };
    },
  },
  {
    method: 'GET',
    path: '/v1/customers/:id',
    handle: ({ state, params, pathParams }) => {
      const input = validateParams(retrieveCustomer, params);
      return { body: present(state, state.customer(pathParams.id), input.expand) };
    },
  },
  {
    method: 'GET',
    path: '/v1/customers/:id/payment_methods',
    handle: ({ state, params, pathParams }) => {
      const input = validateParams(listCustomerPaymentMethods, params);
      const customer = state.customer(pathParams.id);
      const url = `/v1/customers/${customer.id}/payment_methods`;
      const page = listPage(
        paymentMethodsOf(state, customer.id),
        (paymentMethod) => !input.type || paymentMethod.type === input.type,
        input,
        url,
        'payment_method',
      );
      return { body: present(state, page, input.expand) };
    },
  },
];
