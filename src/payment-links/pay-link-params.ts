import type { Order } from '../orders/entities/order.entity';
import type { Product } from '../club/entities/product.entity';
import type { CourtsideMetadata, StripeService } from '../stripe/stripe.service';

type PaymentLinkParams = Parameters<StripeService['createPaymentLink']>[0];

/**
 * The Stripe Payment Link an order's family pays through: one payment of the tier's price, with
 * the order's ids in its metadata and in its PaymentIntent's (money rule 8).
 */
export function payLinkParams(
  order: Pick<Order, 'id' | 'tenantId' | 'playerId' | 'productId'>,
  product: Pick<Product, 'category'>,
  stripePriceId: string,
  publicBaseUrl: string,
): PaymentLinkParams {
  const metadata: CourtsideMetadata = {
    tenant_id: String(order.tenantId),
    order_id: String(order.id),
    player_id: String(order.playerId),
    product_id: String(order.productId),
  };
  return {
    line_items: [{ price: stripePriceId, quantity: 1 }],
    metadata: { ...metadata },
    payment_intent_data: {
      metadata: { ...metadata },
      // Monthly dues keep the card for the next months (money rule 3).
      ...(product.category === 'monthly' && { setup_future_usage: 'off_session' as const }),
    },
    // ...on a customer of their own, so the month run can charge it off-session (§5).
    ...(product.category === 'monthly' && { customer_creation: 'always' as const }),
    restrictions: { completed_sessions: { limit: 1 } },
    after_completion: {
      type: 'redirect',
      redirect: { url: `${publicBaseUrl}/checkout/thanks?session_id={CHECKOUT_SESSION_ID}` },
    },
    inactive_message:
      'This item is paid or no longer due. Questions? Reply to the club’s billing email.',
  };
}
