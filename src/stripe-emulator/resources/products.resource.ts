import type { Product } from '../objects/api-objects';
import { newId, unixSeconds } from '../objects/ids';
import { listPage, listParams, newestFirst } from '../objects/list-page';
import { metadataOnCreate } from '../objects/metadata';
import { expandParam, inRange, param, validateParams } from '../params/param-spec';
import type { ApiRoute } from './api-route';
import { present } from './expand';

const createProduct = {
  name: param.string({ required: true, maxLength: 5000 }),
  active: param.boolean(),
  description: param.string({ maxLength: 40000 }),
  metadata: param.metadata(),
  expand: expandParam,
} as const;

const retrieveProduct = { expand: expandParam } as const;

const listProducts = {
  ...listParams,
  active: param.boolean(),
  ids: param.list(param.string(), { maxItems: 100 }),
  created: param.range(),
} as const;

export function newProduct(fields: {
  name: string;
  active?: boolean | null;
  description?: string | null;
  metadata?: Product['metadata'] | null;
}): Product {
  const now = unixSeconds();
  return {
    id: newId.product(),
    object: 'product',
    active: fields.active ?? true,
    created: now,
    default_price: null,
    description: fields.description ?? null,
    images: [],
    livemode: false,
    marketing_features: [],
    metadata: metadataOnCreate(fields.metadata),
    name: fields.name,
    package_dimensions: null,
    shippable: null,
    statement_descriptor: null,
    tax_code: null,
    type: 'service',
    unit_label: null,
    updated: now,
    url: null,
  };
}

export const productRoutes: ApiRoute[] = [
  {
    method: 'POST',
    path: '/v1/products',
    handle: ({ state, params }) => {
      const input = validateParams(createProduct, params);
      const product = newProduct(input);
      state.products.set(product.id, product);
      return { body: present(state, product, input.expand) };
    },
  },
  {
    method: 'GET',
    path: '/v1/products/:id',
    handle: ({ state, params, pathParams }) => {
      const input = validateParams(retrieveProduct, params);
      return { body: present(state, state.product(pathParams.id), input.expand) };
    },
  },
  {
    method: 'GET',
    path: '/v1/products',
    handle: ({ state, params }) => {
      const input = validateParams(listProducts, params);
      const page = listPage(
        newestFirst(state.products.values()),
        (product) =>
          (input.active == null || product.active === input.active) &&
          (!input.ids || input.ids.includes(product.id)) &&
          (!input.created || inRange(product.created, input.created)),
        input,
        '/v1/products',
        'product',
      );
      return { body: present(state, page, input.expand) };
    },
  },
];
