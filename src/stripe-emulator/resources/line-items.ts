import type { LineItem } from '../objects/api-objects';
import type { EmulatorState, LineItemRef } from '../objects/emulator-state';

export function toLineItems(state: EmulatorState, refs: readonly LineItemRef[]): LineItem[] {
  return refs.map((ref) => {
    const price = state.price(ref.price);
    const amount = price.unit_amount * ref.quantity;
    return {
      id: ref.id,
      object: 'item',
      amount_discount: 0,
      amount_subtotal: amount,
      amount_tax: 0,
      amount_total: amount,
      currency: price.currency,
      description: state.product(price.product).name,
      price: structuredClone(price),
      quantity: ref.quantity,
    };
  });
}

/** Total of the line items in minor units; they share one currency (checked on creation). */
export function totalOf(state: EmulatorState, refs: readonly LineItemRef[]): number {
  return refs.reduce((sum, ref) => sum + state.price(ref.price).unit_amount * ref.quantity, 0);
}
