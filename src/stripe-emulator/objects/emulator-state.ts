import { apiErrors } from '../stripe-api-error';
import type {
  ApiObject,
  Charge,
  CheckoutSession,
  Customer,
  Dispute,
  Metadata,
  PaymentIntent,
  PaymentLink,
  PaymentMethod,
  Price,
  Product,
  Refund,
  SetupFutureUsage,
  StripeEvent,
} from './api-objects';

export interface LineItemRef {
  id: string;
  price: string;
  quantity: number;
}

export interface PaymentLinkRecord {
  link: PaymentLink;
  lineItems: LineItemRef[];
}

/** What the PaymentIntent gets when the session completes. */
export interface PaymentIntentTemplate {
  metadata: Metadata;
  setup_future_usage: SetupFutureUsage | null;
  description: string | null;
}

export interface CheckoutSessionRecord {
  session: CheckoutSession;
  lineItems: LineItemRef[];
  paymentIntentData: PaymentIntentTemplate;
}

/** The account's objects as plain data, in creation order (what the state file keeps). */
export interface AccountSnapshot {
  products: Product[];
  prices: Price[];
  paymentLinks: PaymentLinkRecord[];
  checkoutSessions: CheckoutSessionRecord[];
  /** Absent in state files written before customers existed. */
  customers?: Customer[];
  paymentMethods?: PaymentMethod[];
  /** PaymentMethods detached from their customer: Stripe refuses to use them again. */
  detachedPaymentMethods?: string[];
  paymentIntents: PaymentIntent[];
  charges: Charge[];
  refunds: Refund[];
  disputes: Dispute[];
  events: StripeEvent[];
}

/**
 * Everything the emulated account holds, in memory (and in a state file when the emulator has a
 * `stateDir`). Maps keep insertion order, which is creation order: lists read them backwards to
 * answer newest first, as Stripe does.
 */
export class EmulatorState {
  readonly products = new Map<string, Product>();
  readonly prices = new Map<string, Price>();
  readonly paymentLinks = new Map<string, PaymentLinkRecord>();
  readonly checkoutSessions = new Map<string, CheckoutSessionRecord>();
  readonly customers = new Map<string, Customer>();
  readonly paymentMethods = new Map<string, PaymentMethod>();
  readonly detachedPaymentMethods = new Set<string>();
  readonly paymentIntents = new Map<string, PaymentIntent>();
  readonly charges = new Map<string, Charge>();
  readonly refunds = new Map<string, Refund>();
  readonly disputes = new Map<string, Dispute>();
  readonly events = new Map<string, StripeEvent>();

  constructor(readonly publicUrl: string) {}

  snapshot(): AccountSnapshot {
    return {
      products: [...this.products.values()],
      prices: [...this.prices.values()],
      paymentLinks: [...this.paymentLinks.values()],
      checkoutSessions: [...this.checkoutSessions.values()],
      customers: [...this.customers.values()],
      paymentMethods: [...this.paymentMethods.values()],
      detachedPaymentMethods: [...this.detachedPaymentMethods],
      paymentIntents: [...this.paymentIntents.values()],
      charges: [...this.charges.values()],
      refunds: [...this.refunds.values()],
      disputes: [...this.disputes.values()],
      events: [...this.events.values()],
    };
  }

  /** Takes back what `snapshot` gave, into an empty account. */
  restore(saved: AccountSnapshot): void {
    const fill = <T>(map: Map<string, T>, values: T[], idOf: (value: T) => string) =>
      values.forEach((value) => map.set(idOf(value), value));
    fill(this.products, saved.products, (product) => product.id);
    fill(this.prices, saved.prices, (price) => price.id);
    fill(this.paymentLinks, saved.paymentLinks, (record) => record.link.id);
    fill(this.checkoutSessions, saved.checkoutSessions, (record) => record.session.id);
    fill(this.customers, saved.customers ?? [], (customer) => customer.id);
    fill(this.paymentMethods, saved.paymentMethods ?? [], (method) => method.id);
    (saved.detachedPaymentMethods ?? []).forEach((id) => this.detachedPaymentMethods.add(id));
    fill(this.paymentIntents, saved.paymentIntents, (intent) => intent.id);
    fill(this.charges, saved.charges, (charge) => charge.id);
    fill(this.refunds, saved.refunds, (refund) => refund.id);
    fill(this.disputes, saved.disputes, (dispute) => dispute.id);
    fill(this.events, saved.events, (event) => event.id);
  }

  product(id: string, param = 'id'): Product {
    return found(this.products.get(id), 'product', id, param);
  }

  price(id: string, param = 'id'): Price {
    return found(this.prices.get(id), 'price', id, param);
  }

  paymentLink(id: string, param = 'id'): PaymentLinkRecord {
    return found(this.paymentLinks.get(id), 'payment_link', id, param);
  }

  checkoutSession(id: string, param = 'id'): CheckoutSessionRecord {
    return found(this.checkoutSessions.get(id), 'checkout.session', id, param);
  }

  customer(id: string, param = 'id'): Customer {
    return found(this.customers.get(id), 'customer', id, param);
  }

  paymentMethod(id: string, param = 'id'): PaymentMethod {
    return found(this.paymentMethods.get(id), 'PaymentMethod', id, param);
  }

  paymentIntent(id: string, param = 'id'): PaymentIntent {
    return found(this.paymentIntents.get(id), 'payment_intent', id, param);
  }

  charge(id: string, param = 'id'): Charge {
    return found(this.charges.get(id), 'charge', id, param);
  }

  refund(id: string, param = 'id'): Refund {
    return found(this.refunds.get(id), 'refund', id, param);
  }

  dispute(id: string, param = 'id'): Dispute {
    return found(this.disputes.get(id), 'dispute', id, param);
  }

  event(id: string, param = 'id'): StripeEvent {
    return found(this.events.get(id), 'event', id, param);
  }

  /** Any object by id, for `expand[]`. */
  lookup(id: string): ApiObject | undefined {
    return (
      this.products.get(id) ??
      this.prices.get(id) ??
      this.paymentLinks.get(id)?.link ??
      this.checkoutSessions.get(id)?.session ??
      this.customers.get(id) ??
      this.paymentMethods.get(id) ??
      this.paymentIntents.get(id) ??
      this.charges.get(id) ??
      this.refunds.get(id) ??
      this.disputes.get(id) ??
      this.events.get(id)
    );
  }
}

/** An unknown id in the URL is a 404; one given as a parameter is a 400 naming that parameter. */
function found<T>(value: T | undefined, kind: string, id: string, param: string): T {
  if (value === undefined) throw apiErrors.resourceMissing(kind, id, param);
  return value;
}
