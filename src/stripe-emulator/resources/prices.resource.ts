import type { Price } from '../objects/api-objects';
import type { EmulatorState } from '../objects/emulator-state';
import { newId, unixSeconds } from '../objects/ids';
import { listPage, listParams, newestFirst } from '../objects/list-page';
import { metadataOnCreate } from '../objects/metadata';
import { expandParam, inRange, param, validateParams, type Params } from '../params/param-spec';
import { apiErrors, paramErrors } from '../stripe-api-error';
import type { ApiRoute } from './api-route';
import { present } from './expand';
import { newProduct } from './products.resource';

/** Stripe's ceiling for `unit_amount`: eight digits of minor units. */
const MAX_UNIT_AMOUNT = 99_999_999;

const createPrice = {
  currency: param.currency({ required: true }),
  unit_amount: param.integer({ min: 0, max: MAX_UNIT_AMOUNT }),
  product: param.string(),
  product_data: param.hash({
    name: param.string({ required: true, maxLength: 5000 }),
    active: param.boolean(),
    metadata: param.metadata(),
  }),
  active: param.boolean(),
  metadata: param.metadata(),
  lookup_key: param.string({ maxLength: 200 }),
  transfer_lookup_key: param.boolean(),
  nickname: param.string({ maxLength: 5000 }),
  expand: expandParam,
} as const;

const retrievePrice = { expand: expandParam } as const;

const listPrices = {
  ...listParams,
  product: param.string(),
  active: param.boolean(),
  currency: param.currency(),
  lookup_keys: param.list(param.string(), { maxItems: 10 }),
  type: param.oneOf(['one_time', 'recurring']),
  created: param.range(),
} as const;

export const priceRoutes: ApiRoute[] = [
  {
    method: 'POST',
    path: '/v1/prices',
    handle: ({ state, params }) => {
      const input = validateParams(createPrice, params);
      const unitAmount = input.unit_amount;
      if (unitAmount == null) throw paramErrors.missing('unit_amount');
      const productFor = productSource(state, input);
      if (input.lookup_key) releaseLookupKey(state, input.lookup_key, input.transfer_lookup_key);
      const productId = productFor();

      const price = newPrice({ ...input, unit_amount: unitAmount, product: productId });
      state.prices.set(price.id, price);
      return { body: present(state, price, input.expand) };
    },
  },
  {
    method: 'GET',
    path: '/v1/prices/:id',
    handle: ({ state, params, pathParams }) => {
      const input = validateParams(retrievePrice, params);
      return { body: present(state, state.price(pathParams.id), input.expand) };
    },
  },
  {
    method: 'GET',
    path: '/v1/prices',
    handle: ({ state, params }) => {
      const input = validateParams(listPrices, params);
      const page = listPage(
        newestFirst(state.prices.values()),
        (price) =>
          (!input.product || price.product === input.product) &&
          (input.active == null || price.active === input.active) &&
          (!input.currency || price.currency === input.currency) &&
          (!input.lookup_keys ||
            (price.lookup_key !== null && input.lookup_keys.includes(price.lookup_key))) &&
          (!input.type || price.type === input.type) &&
          (!input.created || inRange(price.created, input.created)),
        input,
        '/v1/prices',
        'price',
      );
      return { body: present(state, page, input.expand) };
    },
  },
];

/** Checks `product` / `product_data` now; the product of `product_data` is made only when called. */
export function newPrice(fields: {
  currency: string;
  unit_amount: number;
  product: string;
  active?: boolean | null;
  metadata?: Price['metadata'] | null;
  lookup_key?: string | null;
  nickname?: string | null;
}): Price {
  return {
    id: newId.price(),
    object: 'price',
    active: fields.active ?? true,
    billing_scheme: 'per_unit',
    created: unixSeconds(),
    currency: fields.currency,
    custom_unit_amount: null,
    livemode: false,
    lookup_key: fields.lookup_key ?? null,
    metadata: metadataOnCreate(fields.metadata),
    nickname: fields.nickname ?? null,
    product: fields.product,
    recurring: null,
    tax_behavior: 'unspecified',
    tiers_mode: null,
    transform_quantity: null,
    type: 'one_time',
    unit_amount: fields.unit_amount,
    unit_amount_decimal: String(fields.unit_amount),
  };
}

function productSource(
  state: EmulatorState,
  input: Pick<Params<typeof createPrice>, 'product' | 'product_data'>,
): () => string {
  const { product, product_data: data } = input;
  if (product && data) throw paramErrors.exclusive(['product', 'product_data']);
  if (product) {
    const id = state.product(product, 'product').id;
    return () => id;
  }
  if (!data) throw paramErrors.missing('product');
  return () => {
    const created = newProduct(data);
    state.products.set(created.id, created);
    return created.id;
  };
}

/** A lookup key belongs to one price; moving it needs `transfer_lookup_key=true`, as on Stripe. */
function releaseLookupKey(
  state: EmulatorState,
  lookupKey: string,
  transfer?: boolean | null,
): void {
  for (const other of state.prices.values()) {
    if (other.lookup_key !== lookupKey) continue;
    if (!transfer) {
      throw apiErrors.state(
        'lookup_key_exists',
        `A price (\`${other.id}\`) already uses that lookup key.`,
        'lookup_key',
      );
    }
    other.lookup_key = null;
  }
}
