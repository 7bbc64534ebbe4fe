import type { CardBrand, PaymentMethod } from '../objects/api-objects';
import { newId, unixSeconds } from '../objects/ids';

/** How a card's issuer answers a charge. */
export interface CardDecline {
  /** The error's `code`: `card_declined`, `expired_card`, `authentication_required`. */
  code: string;
  decline_code: string;
  message: string;
  /**
   * The card asks its holder for 3-D Secure: it pays on a page where the holder can answer, and
   * is declined off-session (`authentication_required`).
   */
  asksForAuthentication?: true;
}

export interface TestCard {
  brand: CardBrand;
  last4: string;
  /** Stripe's test cards share one fingerprint per card number. */
  fingerprint: string;
  decline: CardDecline | null;
}

/**
 * Stripe's test PaymentMethod tokens (docs.stripe.com/testing): passing one where a PaymentMethod
 * id is expected makes a new PaymentMethod of that card. The emulator lets every one of them be
 * attached to a customer (like 4000000000000341 on Stripe) so that a saved card can decline
 * later, which is what autopay needs to test.
 */
export type TestCardToken =
  | 'pm_card_visa'
  | 'pm_card_chargeDeclined'
  | 'pm_card_chargeDeclinedInsufficientFunds'
  | 'pm_card_chargeDeclinedExpiredCard'
  | 'pm_card_authenticationRequired';

export const TEST_CARDS: Readonly<Record<TestCardToken, TestCard>> = {
  pm_card_visa: { brand: 'visa', last4: '4242', fingerprint: 'Xt5EWLLDS7FJjR1c', decline: null },
  pm_card_chargeDeclined: {
    brand: 'visa',
    last4: '0002',
    fingerprint: 'e2PMCk9hHIAyb3Mq',
    decline: {
      code: 'card_declined',
      decline_code: 'generic_decline',
      message: 'Your card was declined.',
    },
  },
  pm_card_chargeDeclinedInsufficientFunds: {
    brand: 'visa',
    last4: '9995',
    fingerprint: 'kZ1ufRkKp6n2nYkM',
    decline: {
      code: 'card_declined',
      decline_code: 'insufficient_funds',
      message: 'Your card has insufficient funds.',
    },
  },
  pm_card_chargeDeclinedExpiredCard: {
    brand: 'visa',
    last4: '0069',
    fingerprint: 'bX6sQe1bPk4C1hOq',
    decline: {
      code: 'expired_card',
      decline_code: 'expired_card',
      message: 'Your card has expired.',
    },
  },
  pm_card_authenticationRequired: {
    brand: 'visa',
    last4: '3184',
    fingerprint: 'Bb4m1m0WcD9gW7nT',
    decline: {
      code: 'authentication_required',
      decline_code: 'authentication_required',
      message: 'Your card was declined. This transaction requires authentication.',
      asksForAuthentication: true,
    },
  },
};

export const TEST_CARD_TOKENS = Object.keys(TEST_CARDS) as TestCardToken[];

export function isTestCardToken(value: string): value is TestCardToken {
  return Object.hasOwn(TEST_CARDS, value);
}

/** The test card behind a PaymentMethod, found by its last4 (each test card has its own). */
export function testCardOf(paymentMethod: PaymentMethod): TestCard {
  const card = Object.values(TEST_CARDS).find(
    (candidate) => candidate.last4 === paymentMethod.card.last4,
  );
  return card ?? TEST_CARDS.pm_card_visa;
}

/** A new, unattached PaymentMethod of a test card; the caller stores it. */
export function newCardPaymentMethod(token: TestCardToken, email: string | null): PaymentMethod {
  const card: TestCard = TEST_CARDS[token];
  const created = unixSeconds();
  return {
    id: newId.paymentMethod(),
    object: 'payment_method',
    allow_redisplay: 'unspecified',
    billing_details: {
      address: {
        city: null,
        country: null,
        line1: null,
        line2: null,
        postal_code: null,
        state: null,
      },
      email,
      name: null,
      phone: null,
    },
    card: {
      brand: card.brand,
      checks: { address_line1_check: null, address_postal_code_check: null, cvc_check: 'pass' },
      country: 'US',
      display_brand: card.brand,
      exp_month: 12,
      exp_year: new Date(created * 1000).getUTCFullYear() + 1,
      fingerprint: card.fingerprint,
      funding: 'credit',
      generated_from: null,
      last4: card.last4,
      networks: { available: [card.brand], preferred: null },
      three_d_secure_usage: { supported: true },
      wallet: null,
    },
    created,
    customer: null,
    customer_account: null,
    livemode: false,
    metadata: {},
    type: 'card',
  };
}
