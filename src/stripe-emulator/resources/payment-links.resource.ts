import type { AfterCompletion, PaymentIntentData, PaymentLink } from '../objects/api-objects';
import type { EmulatorState, LineItemRef } from '../objects/emulator-state';
import { newId } from '../objects/ids';
import { listPage, listParams, newestFirst } from '../objects/list-page';
import { mergeMetadata, metadataOnCreate } from '../objects/metadata';
import { expandParam, param, validateParams, type Params } from '../params/param-spec';
import { paramErrors } from '../stripe-api-error';
import type { ApiRoute } from './api-route';
import { present } from './expand';
import { toLineItems } from './line-items';

export const PAYMENT_METHOD_TYPES = [
  'card',
  'us_bank_account',
  'sepa_debit',
  'bacs_debit',
  'acss_debit',
  'au_becs_debit',
  'link',
  'cashapp',
  'paypal',
  'klarna',
  'affirm',
  'afterpay_clearpay',
  'ideal',
  'bancontact',
] as const;

export const lineItemParams = param.list(
  param.hash({
    price: param.string({ required: true }),
    quantity: param.integer({ required: true, min: 1, max: 999_999 }),
  }),
  { required: true, maxItems: 20 },
);

export const paymentIntentDataParams = param.hash({
  description: param.string({ maxLength: 1000 }),
  metadata: param.metadata(),
  setup_future_usage: param.oneOf(['on_session', 'off_session']),
});

const afterCompletionParams = param.hash({
  type: param.oneOf(['redirect', 'hosted_confirmation'], { required: true }),
  redirect: param.hash({ url: param.url({ required: true }) }),
  hosted_confirmation: param.hash({ custom_message: param.string({ maxLength: 500 }) }),
});

const restrictionsParams = param.hash({
  completed_sessions: param.hash(
    { limit: param.integer({ required: true, min: 1, max: 10_000 }) },
    { required: true },
  ),
});

export const paymentMethodTypesParams = param.list(param.oneOf(PAYMENT_METHOD_TYPES));

/** Whether Checkout makes a Customer: `always`, or `if_required` (when saving the card needs one). */
export const customerCreationParam = param.oneOf(['always', 'if_required']);

const createPaymentLink = {
  line_items: lineItemParams,
  metadata: param.metadata(),
  payment_intent_data: paymentIntentDataParams,
  after_completion: afterCompletionParams,
  restrictions: restrictionsParams,
  inactive_message: param.string({ maxLength: 500 }),
  payment_method_types: paymentMethodTypesParams,
  customer_creation: customerCreationParam,
  expand: expandParam,
} as const;

const updatePaymentLink = {
  active: param.boolean(),
  metadata: param.metadata(),
  payment_intent_data: paymentIntentDataParams,
  after_completion: afterCompletionParams,
  restrictions: restrictionsParams,
  inactive_message: param.string({ maxLength: 500 }),
  payment_method_types: paymentMethodTypesParams,
  customer_creation: customerCreationParam,
  expand: expandParam,
} as const;

const retrievePaymentLink = { expand: expandParam } as const;

const listPaymentLinks = { ...listParams, active: param.boolean() } as const;

const listLineItems = listParams;

export const paymentLinkRoutes: ApiRoute[] = [
  {
    method: 'POST',
    path: '/v1/payment_links',
    handle: ({ state, params }) => {
      const input = validateParams(createPaymentLink, params);
      const lineItems = checkedLineItems(state, input.line_items);
      const id = newId.paymentLink();
      const link: PaymentLink = {
        id,
        object: 'payment_link',
        active: true,
        after_completion: afterCompletion(input.after_completion),
        allow_promotion_codes: false,
        application: null,
        application_fee_amount: null,
        application_fee_percent: null,
        automatic_tax: { enabled: false, liability: null },
        billing_address_collection: 'auto',
        consent_collection: null,
        currency: state.price(lineItems[0].price).currency,
        custom_fields: [],
        custom_text: {
          after_submit: null,
          shipping_address: null,
          submit: null,
          terms_of_service_acceptance: null,
        },
        customer_creation: input.customer_creation ?? 'if_required',
        inactive_message: input.inactive_message ?? null,
        invoice_creation: null,
        livemode: false,
        metadata: metadataOnCreate(input.metadata),
        on_behalf_of: null,
        payment_intent_data: input.payment_intent_data
          ? paymentIntentData(null, input.payment_intent_data)
          : null,
        payment_method_collection: 'always',
        payment_method_types: input.payment_method_types ?? null,
        phone_number_collection: { enabled: false },
        restrictions: input.restrictions
          ? { completed_sessions: { count: 0, limit: input.restrictions.completed_sessions.limit } }
          : null,
        shipping_address_collection: null,
        shipping_options: [],
        submit_type: 'auto',
        subscription_data: null,
        tax_id_collection: { enabled: false, required: 'never' },
        transfer_data: null,
        url: `${state.publicUrl}/b/${id}`,
      };
      state.paymentLinks.set(id, { link, lineItems });
      return { body: present(state, link, input.expand) };
    },
  },
  {
    method: 'GET',
    path: '/v1/payment_links/:id',
    handle: ({ state, params, pathParams }) => {
      const input = validateParams(retrievePaymentLink, params);
      return { body: present(state, state.paymentLink(pathParams.id).link, input.expand) };
    },
  },
  {
    method: 'POST',
    path: '/v1/payment_links/:id',
    handle: ({ state, params, pathParams }) => {
      const input = validateParams(updatePaymentLink, params);
      const { link } = state.paymentLink(pathParams.id);
      if (input.active != null) link.active = input.active;
      link.metadata = mergeMetadata(link.metadata, input.metadata);
      if (input.inactive_message !== undefined) link.inactive_message = input.inactive_message;
      if (input.after_completion !== undefined) {
        link.after_completion = afterCompletion(input.after_completion);
      }
      if (input.payment_intent_data !== undefined) {
        link.payment_intent_data = input.payment_intent_data
          ? paymentIntentData(link.payment_intent_data, input.payment_intent_data)
          : null;
      }
      if (input.payment_method_types !== undefined) {
        link.payment_method_types = input.payment_method_types;
      }
      if (input.customer_creation != null) link.customer_creation = input.customer_creation;
      if (input.restrictions !== undefined) {
        link.restrictions = input.restrictions && {
          completed_sessions: {
            count: link.restrictions?.completed_sessions.count ?? 0,
            limit: input.restrictions.completed_sessions.limit,
          },
        };
      }
      return { body: present(state, link, input.expand) };
    },
  },
  {
    method: 'GET',
    path: '/v1/payment_links',
    handle: ({ state, params }) => {
      const input = validateParams(listPaymentLinks, params);
      const links = newestFirst(state.paymentLinks.values()).map((record) => record.link);
      const page = listPage(
        links,
        (link) => input.active == null || link.active === input.active,
        input,
        '/v1/payment_links',
        'payment_link',
      );
      return { body: present(state, page, input.expand) };
    },
  },
  {
    method: 'GET',
    path: '/v1/payment_links/:id/line_items',
    handle: ({ state, params, pathParams }) => {
      const input = validateParams(listLineItems, params);
      const record = state.paymentLink(pathParams.id);
      const url = `/v1/payment_links/${record.link.id}/line_items`;
      const items = toLineItems(state, record.lineItems);
      return { body: listPage(items, () => true, input, url, 'line_item') };
    },
  },
];

/**
 * Prices must exist, be active (bar the inline ones a session made for itself) and share one
 * currency; quantities are whole units.
 */
export function checkedLineItems(
  state: EmulatorState,
  items: ReadonlyArray<{ price: string; quantity: number }>,
  inlinePrices: ReadonlySet<string> = new Set(),
): LineItemRef[] {
  if (items.length === 0) throw paramErrors.missing('line_items');
  const currencies = new Set<string>();
  const refs = items.map((item, index) => {
    const param = `line_items[${index}][price]`;
    const price = state.price(item.price, param);
    if (!price.active && !inlinePrices.has(price.id)) {
      throw paramErrors.invalid(
        param,
        'The price specified is inactive. This field only accepts active prices.',
      );
    }
    currencies.add(price.currency);
    return { id: newId.lineItem(), price: price.id, quantity: item.quantity };
  });
  if (currencies.size > 1) {
    throw paramErrors.invalid('line_items', 'All prices must be in the same currency.');
  }
  return refs;
}

function afterCompletion(
  input: Params<typeof createPaymentLink>['after_completion'],
): AfterCompletion {
  if (input?.type === 'redirect') {
    if (!input.redirect) throw paramErrors.missing('after_completion[redirect][url]');
    return { type: 'redirect', redirect: { url: input.redirect.url } };
  }
  return {
    type: 'hosted_confirmation',
    hosted_confirmation: { custom_message: input?.hosted_confirmation?.custom_message ?? null },
  };
}

export function paymentIntentData(
  existing: PaymentIntentData | null,
  input: NonNullable<Params<typeof createPaymentLink>['payment_intent_data']>,
): PaymentIntentData {
  return {
    capture_method: null,
    description:
      input.description !== undefined ? input.description : (existing?.description ?? null),
    metadata: mergeMetadata(existing?.metadata ?? {}, input.metadata),
    setup_future_usage:
      input.setup_future_usage !== undefined
        ? input.setup_future_usage
        : (existing?.setup_future_usage ?? null),
    statement_descriptor: null,
    statement_descriptor_suffix: null,
    transfer_group: null,
  };
}
