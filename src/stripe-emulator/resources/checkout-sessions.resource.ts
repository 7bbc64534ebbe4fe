import type { Price } from '../objects/api-objects';
import type { EmulatorState, LineItemRef } from '../objects/emulator-state';
import { unixSeconds } from '../objects/ids';
import { listPage, listParams, newestFirst } from '../objects/list-page';
import { metadataOnCreate } from '../objects/metadata';
import { expandParam, inRange, param, validateParams, type Params } from '../params/param-spec';
import { newCheckoutSession, SESSION_LIFETIME_SECONDS } from '../payments/payment-objects';
import { paramErrors } from '../stripe-api-error';
import type { ApiRoute } from './api-route';
import { present } from './expand';
import { toLineItems } from './line-items';
import { newPrice } from './prices.resource';
import { newProduct } from './products.resource';
import {
  checkedLineItems,
  customerCreationParam,
  paymentIntentDataParams,
  paymentMethodTypesParams,
} from './payment-links.resource';

/** Stripe's window for `expires_at`: at least 30 minutes, at most 24 hours after creation. */
const MIN_LIFETIME_SECONDS = 30 * 60;

const createSession = {
  mode: param.oneOf(['payment', 'setup', 'subscription'], { required: true }),
  line_items: param.list(
    param.hash({
      price: param.string(),
      price_data: param.hash({
        currency: param.currency({ required: true }),
        unit_amount: param.integer({ required: true, min: 0, max: 99_999_999 }),
        product: param.string(),
        product_data: param.hash({
          name: param.string({ required: true, maxLength: 5000 }),
          description: param.string({ maxLength: 40000 }),
          metadata: param.metadata(),
        }),
      }),
      quantity: param.integer({ required: true, min: 1, max: 999_999 }),
    }),
    { maxItems: 100 },
  ),
  success_url: param.url(),
  cancel_url: param.url(),
  metadata: param.metadata(),
  client_reference_id: param.string({ maxLength: 200 }),
  customer_email: param.string({ maxLength: 800 }),
  expires_at: param.integer(),
  payment_intent_data: paymentIntentDataParams,
  payment_method_types: paymentMethodTypesParams,
  customer_creation: customerCreationParam,
  expand: expandParam,
} as const;

type SessionLineItems = NonNullable<Params<typeof createSession>['line_items']>;

const retrieveSession = { expand: expandParam } as const;

const expireSession = { expand: expandParam } as const;

const listSessions = {
  ...listParams,
  payment_link: param.string(),
  payment_intent: param.string(),
  status: param.oneOf(['open', 'complete', 'expired']),
  created: param.range(),
} as const;

export const checkoutSessionRoutes: ApiRoute[] = [
  {
    method: 'POST',
    path: '/v1/checkout/sessions',
    handle: ({ state, params }) => {
      const input = validateParams(createSession, params);
      if (input.mode !== 'payment') {
        throw paramErrors.invalid('mode', 'The Stripe emulator supports only mode=payment.');
      }
      if (!input.line_items) throw paramErrors.missing('line_items');
      const now = unixSeconds();
      if (input.expires_at != null) checkExpiresAt(input.expires_at, now);
      if (input.customer_email && !/^[^\s@]+@[^\s@]+\.[^\s@]+$/.test(input.customer_email)) {
        throw paramErrors.invalid(
          'customer_email',
          `Invalid email address: ${input.customer_email}`,
        );
      }
      const record = newCheckoutSession(state, {
        lineItems: sessionLineItems(state, input.line_items),
        metadata: metadataOnCreate(input.metadata),
        paymentLink: null,
        paymentMethodTypes: input.payment_method_types ?? ['card'],
        paymentIntentData: {
          metadata: metadataOnCreate(input.payment_intent_data?.metadata),
          setup_future_usage: input.payment_intent_data?.setup_future_usage ?? null,
          description: input.payment_intent_data?.description ?? null,
        },
        clientReferenceId: input.client_reference_id,
        customerEmail: input.customer_email,
        expiresAt: input.expires_at ?? now + SESSION_LIFETIME_SECONDS,
        successUrl: input.success_url,
        cancelUrl: input.cancel_url,
        customerCreation: input.customer_creation,
      });
      return { body: present(state, record.session, input.expand) };
    },
  },
  {
    method: 'GET',
    path: '/v1/checkout/sessions/:id',
    handle: ({ state, flow, params, pathParams }) => {
      const input = validateParams(retrieveSession, params);
      const record = state.checkoutSession(pathParams.id);
      flow.expireIfDue(record);
      return { body: present(state, record.session, input.expand) };
    },
  },
  {
    method: 'POST',
    path: '/v1/checkout/sessions/:id/expire',
    handle: ({ state, flow, params, pathParams, emit }) => {
      const input = validateParams(expireSession, params);
      const session = flow.expireSession(pathParams.id, emit);
      return { body: present(state, session, input.expand) };
    },
  },
  {
    method: 'GET',
    path: '/v1/checkout/sessions',
    handle: ({ state, flow, params }) => {
      const input = validateParams(listSessions, params);
      const records = newestFirst(state.checkoutSessions.values());
      records.forEach((record) => flow.expireIfDue(record));
      const page = listPage(
        records.map((record) => record.session),
        (session) =>
          (!input.payment_link || session.payment_link === input.payment_link) &&
          (!input.payment_intent || session.payment_intent === input.payment_intent) &&
          (!input.status || session.status === input.status) &&
          (!input.created || inRange(session.created, input.created)),
        input,
        '/v1/checkout/sessions',
        'checkout.session',
      );
      return { body: present(state, page, input.expand) };
    },
  },
  {
    method: 'GET',
    path: '/v1/checkout/sessions/:id/line_items',
    handle: ({ state, params, pathParams }) => {
      const input = validateParams(listParams, params);
      const record = state.checkoutSession(pathParams.id);
      const url = `/v1/checkout/sessions/${record.session.id}/line_items`;
      return {
        body: listPage(toLineItems(state, record.lineItems), () => true, input, url, 'line_item'),
      };
    },
  },
];

function checkExpiresAt(expiresAt: number, now: number): void {
  if (expiresAt - now > SESSION_LIFETIME_SECONDS) {
    throw paramErrors.invalid(
      'expires_at',
      'The `expires_at` timestamp must be less than 24 hours from Checkout Session creation.',
    );
  }
  if (expiresAt - now < MIN_LIFETIME_SECONDS) {
    throw paramErrors.invalid(
      'expires_at',
      'The `expires_at` timestamp must be at least 30 minutes from Checkout Session creation.',
    );
  }
}

/** Line items name a price, or describe one inline with `price_data` (Stripe makes an inactive price for it). */
function sessionLineItems(state: EmulatorState, items: SessionLineItems): LineItemRef[] {
  const inlinePrices = new Set<string>();
  const byPrice = items.map((item, index) => {
    if (item.price && item.price_data) {
      throw paramErrors.exclusive([
        `line_items[${index}][price]`,
        `line_items[${index}][price_data]`,
      ]);
    }
    if (item.price) return { price: item.price, quantity: item.quantity };
    if (!item.price_data) throw paramErrors.missing(`line_items[${index}][price]`);
    const price = inlinePrice(state, item.price_data, index);
    inlinePrices.add(price.id);
    return { price: price.id, quantity: item.quantity };
  });
  return checkedLineItems(state, byPrice, inlinePrices);
}

function inlinePrice(
  state: EmulatorState,
  data: NonNullable<SessionLineItems[number]['price_data']>,
  index: number,
): Price {
  let productId: string;
  if (data.product) {
    productId = state.product(data.product, `line_items[${index}][price_data][product]`).id;
  } else if (data.product_data) {
    const product = newProduct(data.product_data);
    state.products.set(product.id, product);
    productId = product.id;
  } else {
    throw paramErrors.missing(`line_items[${index}][price_data][product]`);
  }
  const price = newPrice({ ...data, product: productId, active: false });
  state.prices.set(price.id, price);
  return price;
}
