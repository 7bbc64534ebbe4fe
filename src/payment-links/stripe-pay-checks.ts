import { formatMoney } from '../common/money/format-money';
import type { CheckoutSession, LineItem, PaymentLink } from '../stripe/stripe-objects';

/** What a check needs of the order a Stripe object should take the payment of. */
export interface OrderToPay {
  id: number;
  tenantId: number;
  amountCents: number;
  currency: string;
}

/**
 * Why this Stripe link cannot take this order's payment so that the webhook credits it, or
 * undefined when it can: it must name the order in its metadata (money rule 8), be active,
 * and sell exactly the order's amount once (money rule 2).
 */
export function linkProblem(
  order: OrderToPay,
  found: { link: PaymentLink; lineItems: LineItem[] } | undefined,
): string | undefined {
  if (!found) return 'the link is not found at Stripe';
  const { link, lineItems } = found;
  if (metadataOwner(link.metadata, order) !== 'this_order')
    return 'the link does not name this order in its metadata';
  if (!link.active) return 'the link is inactive at Stripe';
  const item = lineItems.length === 1 ? lineItems[0] : undefined;
  const price = item?.quantity === 1 ? item.price : null;
  if (price?.unit_amount !== order.amountCents || price.currency !== order.currency) {
    const sells =
      price?.unit_amount != null
        ? formatMoney(price.unit_amount, price.currency)
        : 'something else';
    return `the link sells ${sells}, not the order's ${formatMoney(order.amountCents, order.currency)}`;
  }
  return undefined;
}

export type MetadataOwner = 'this_order' | 'another_club' | 'another_order' | 'nobody';

/** Whose order a Stripe object's metadata names, as the webhook would read it. */
export function metadataOwner(
  metadata: Record<string, string> | null | undefined,
  order: Pick<OrderToPay, 'id' | 'tenantId'>,
): MetadataOwner {
  const tenantId = metadata?.tenant_id;
  const orderId = metadata?.order_id;
  if (!tenantId || !orderId) return 'nobody';
  if (tenantId !== String(order.tenantId)) return 'another_club';
  if (orderId !== String(order.id)) return 'another_order';
  return 'this_order';
}

/** Why an open session cannot be paid for this order with the payment credited, or undefined. */
export function openSessionProblem(
  order: OrderToPay,
  session: CheckoutSession,
): string | undefined {
  switch (metadataOwner(session.metadata, order)) {
    case 'another_club':
      return "the session belongs to another club's order";
    case 'another_order':
      return `the session names order ${session.metadata?.order_id}, not this one`;
    case 'nobody':
      return 'the session carries no Courtside order in its metadata, so its payment would credit nobody';
    case 'this_order':
      break;
  }
  if (session.amount_total !== order.amountCents || session.currency !== order.currency) {
    const charges =
      session.amount_total != null && session.currency
        ? formatMoney(session.amount_total, session.currency)
        : 'an unknown amount';
    return `the session charges ${charges}, not the order's ${formatMoney(order.amountCents, order.currency)}`;
  }
  return undefined;
}
