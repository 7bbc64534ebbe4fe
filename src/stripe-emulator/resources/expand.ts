import type { ApiList } from '../objects/api-objects';
import type { EmulatorState } from '../objects/emulator-state';
import { paramErrors } from '../stripe-api-error';
import { toLineItems } from './line-items';

/** Fields holding another object's id that `expand[]` may replace with the object. */
const EXPANDABLE = new Set([
  'product',
  'default_price',
  'payment_link',
  'payment_intent',
  'latest_charge',
  'charge',
  'customer',
  'payment_method',
]);

type Json = { [key: string]: unknown };

/**
 * A response body: a snapshot of the object (later changes do not leak into it) with the
 * requested `expand[]` paths filled in — `payment_intent`, `data.payment_intent`,
 * `payment_intent.latest_charge`, `line_items` on links and sessions.
 */
export function present(state: EmulatorState, value: object, expand?: string[] | null): Json {
  const body = structuredClone(value) as Json;
  (expand ?? []).forEach((path, index) =>
    expandPath(state, body, path.split('.'), path, `expand[${index}]`),
  );
  return body;
}

function expandPath(
  state: EmulatorState,
  target: Json,
  [field, ...rest]: string[],
  path: string,
  param: string,
): void {
  if (target.object === 'list' && field === 'data') {
    for (const item of (target as unknown as ApiList<Json>).data) {
      if (rest.length) expandPath(state, item, rest, path, param);
    }
    return;
  }
  const current = target[field];
  if (field === 'line_items' && typeof target.id === 'string') {
    target.line_items = lineItemsList(state, target.id);
  } else if (typeof current === 'string' && EXPANDABLE.has(field)) {
    const found = state.lookup(current);
    if (found) target[field] = structuredClone(found);
  } else if (current === null && EXPANDABLE.has(field)) {
    return;
  } else if (!(typeof current === 'object' && current !== null && rest.length)) {
    throw paramErrors.invalid(param, `This property cannot be expanded (${path}).`);
  }
  const expanded = target[field];
  if (rest.length && typeof expanded === 'object' && expanded !== null) {
    expandPath(state, expanded as Json, rest, path, param);
  }
}

function lineItemsList(state: EmulatorState, ownerId: string): ApiList<unknown> {
  const link = state.paymentLinks.get(ownerId);
  const session = state.checkoutSessions.get(ownerId);
  const refs = link?.lineItems ?? session?.lineItems;
  if (!refs) throw paramErrors.invalid('expand', 'This property cannot be expanded (line_items).');
  const base = link ? `/v1/payment_links/${ownerId}` : `/v1/checkout/sessions/${ownerId}`;
  return {
    object: 'list',
    data: toLineItems(state, refs),
    has_more: false,
    url: `${base}/line_items`,
  };
}
