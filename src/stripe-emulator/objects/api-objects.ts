/**
 * The Stripe objects the emulator serves, in Stripe's JSON shapes (API version below). Only the
 * fields Courtside reads or that Stripe always sends are modelled; amounts are integer minor units.
 */

/** The version the `stripe@23.1.0` SDK pins (`Stripe.API_VERSION`); events carry it. */
export const EMULATED_API_VERSION = '2026-10-28.endive';

export type Metadata = Record<string, string>;

export interface ApiList<T> {
  object: 'list';
  data: T[];
  has_more: boolean;
  url: string;
}

export interface Product {
  id: string;
  object: 'product';
  active: boolean;
  created: number;
  default_price: string | null;
  description: string | null;
  images: string[];
  livemode: false;
  marketing_features: unknown[];
  metadata: Metadata;
  name: string;
  package_dimensions: null;
  shippable: null;
  statement_descriptor: null;
  tax_code: null;
  type: 'service';
  unit_label: null;
  updated: number;
  url: null;
}

export interface Price {
  id: string;
  object: 'price';
  active: boolean;
  billing_scheme: 'per_unit';
  created: number;
  currency: string;
  custom_unit_amount: null;
  livemode: false;
  lookup_key: string | null;
  metadata: Metadata;
  nickname: string | null;
  product: string;
  recurring: null;
  tax_behavior: 'unspecified';
  tiers_mode: null;
  transform_quantity: null;
  type: 'one_time';
  unit_amount: number;
  unit_amount_decimal: string;
}

export type SetupFutureUsage = 'on_session' | 'off_session';

export type CustomerCreation = 'always' | 'if_required';

export interface Customer {
  id: string;
  object: 'customer';
  address: null;
  balance: number;
  created: number;
  currency: null;
  default_source: null;
  delinquent: boolean;
  description: string | null;
  discount: null;
  email: string | null;
  invoice_prefix: string;
  invoice_settings: {
    custom_fields: null;
    default_payment_method: string | null;
    footer: null;
    rendering_options: null;
  };
  livemode: false;
  metadata: Metadata;
  name: string | null;
  next_invoice_sequence: number;
  phone: string | null;
  preferred_locales: string[];
  shipping: null;
  tax_exempt: 'none';
  test_clock: null;
}

export type CardBrand = 'visa' | 'mastercard' | 'amex';

export interface PaymentMethodCard {
  brand: CardBrand;
  checks: { address_line1_check: null; address_postal_code_check: null; cvc_check: 'pass' | null };
  country: string;
  display_brand: CardBrand;
  exp_month: number;
  exp_year: number;
  fingerprint: string;
  funding: 'credit' | 'debit';
  generated_from: null;
  last4: string;
  networks: { available: CardBrand[]; preferred: null };
  three_d_secure_usage: { supported: boolean };
  wallet: null;
}

export interface PaymentMethod {
  id: string;
  object: 'payment_method';
  allow_redisplay: 'unspecified' | 'always' | 'limited';
  billing_details: {
    address: {
      city: null;
      country: null;
      line1: null;
      line2: null;
      postal_code: null;
      state: null;
    };
    email: string | null;
    name: null;
    phone: null;
  };
  card: PaymentMethodCard;
  created: number;
  customer: string | null;
  customer_account: null;
  livemode: false;
  metadata: Metadata;
  type: 'card';
}

/** What a declined card tells the API caller (`error`) and keeps on the PaymentIntent. */
export interface PaymentError {
  type: 'card_error' | 'invalid_request_error';
  code: string;
  decline_code?: string;
  message: string;
  param?: string;
  charge?: string;
  doc_url: string;
  payment_method?: PaymentMethod;
}

export type AfterCompletion =
  | { type: 'redirect'; redirect: { url: string } }
  | { type: 'hosted_confirmation'; hosted_confirmation: { custom_message: string | null } };

export interface PaymentIntentData {
  capture_method: null;
  description: string | null;
  metadata: Metadata;
  setup_future_usage: SetupFutureUsage | null;
  statement_descriptor: null;
  statement_descriptor_suffix: null;
  transfer_group: null;
}

/** Stripe's Payment Link has no `created` field; the emulator follows that. */
export interface PaymentLink {
  id: string;
  object: 'payment_link';
  active: boolean;
  after_completion: AfterCompletion;
  allow_promotion_codes: boolean;
  application: null;
  application_fee_amount: null;
  application_fee_percent: null;
  automatic_tax: { enabled: false; liability: null };
  billing_address_collection: 'auto';
  consent_collection: null;
  currency: string;
  custom_fields: unknown[];
  custom_text: Record<string, null>;
  customer_creation: CustomerCreation;
  inactive_message: string | null;
  invoice_creation: null;
  livemode: false;
  metadata: Metadata;
  on_behalf_of: null;
  payment_intent_data: PaymentIntentData | null;
  payment_method_collection: 'always';
  payment_method_types: string[] | null;
  phone_number_collection: { enabled: false };
  restrictions: { completed_sessions: { count: number; limit: number } } | null;
  shipping_address_collection: null;
  shipping_options: unknown[];
  submit_type: 'auto';
  subscription_data: null;
  tax_id_collection: { enabled: false; required: 'never' };
  transfer_data: null;
  url: string;
}

export interface LineItem {
  id: string;
  object: 'item';
  amount_discount: number;
  amount_subtotal: number;
  amount_tax: number;
  amount_total: number;
  currency: string;
  description: string;
  price: Price;
  quantity: number;
}

export type CheckoutSessionStatus = 'open' | 'complete' | 'expired';
export type CheckoutPaymentStatus = 'paid' | 'unpaid' | 'no_payment_required';

export interface CustomerDetails {
  address: null;
  email: string;
  name: null;
  phone: null;
  tax_exempt: 'none';
  tax_ids: unknown[];
}

export interface CheckoutSession {
  id: string;
  object: 'checkout.session';
  after_expiration: null;
  allow_promotion_codes: null;
  amount_subtotal: number;
  amount_total: number;
  automatic_tax: { enabled: false; liability: null; status: null };
  billing_address_collection: null;
  cancel_url: string | null;
  client_reference_id: string | null;
  client_secret: null;
  consent: null;
  consent_collection: null;
  created: number;
  currency: string;
  custom_fields: unknown[];
  customer: string | null;
  customer_creation: CustomerCreation;
  customer_details: CustomerDetails | null;
  customer_email: string | null;
  expires_at: number;
  invoice: null;
  livemode: false;
  locale: null;
  metadata: Metadata;
  mode: 'payment';
  payment_intent: string | null;
  payment_link: string | null;
  payment_method_collection: 'if_required';
  payment_method_types: string[];
  payment_status: CheckoutPaymentStatus;
  recovered_from: null;
  setup_intent: null;
  shipping_address_collection: null;
  shipping_cost: null;
  shipping_options: unknown[];
  status: CheckoutSessionStatus;
  submit_type: null;
  subscription: null;
  success_url: string | null;
  total_details: { amount_discount: number; amount_shipping: number; amount_tax: number };
  ui_mode: 'hosted';
  url: string | null;
}

export type PaymentIntentStatus =
  'processing' | 'requires_payment_method' | 'requires_confirmation' | 'succeeded';

export interface PaymentIntent {
  id: string;
  object: 'payment_intent';
  amount: number;
  amount_capturable: number;
  amount_received: number;
  application: null;
  application_fee_amount: null;
  automatic_payment_methods: { allow_redirects: 'always' | 'never'; enabled: boolean } | null;
  canceled_at: null;
  cancellation_reason: null;
  capture_method: 'automatic_async';
  client_secret: string;
  confirmation_method: 'automatic';
  created: number;
  currency: string;
  customer: string | null;
  customer_account: null;
  description: string | null;
  last_payment_error:
    PaymentError | { code: string; message: string; type: 'invalid_request_error' } | null;
  latest_charge: string | null;
  livemode: false;
  metadata: Metadata;
  next_action: null;
  on_behalf_of: null;
  payment_method: string | null;
  payment_method_types: string[];
  processing: null;
  receipt_email: string | null;
  review: null;
  setup_future_usage: SetupFutureUsage | null;
  shipping: null;
  source: null;
  statement_descriptor: null;
  statement_descriptor_suffix: null;
  status: PaymentIntentStatus;
  transfer_data: null;
  transfer_group: null;
}

export type ChargeStatus = 'pending' | 'succeeded' | 'failed';

export interface Charge {
  id: string;
  object: 'charge';
  amount: number;
  amount_captured: number;
  amount_refunded: number;
  balance_transaction: null;
  billing_details: { address: null; email: string; name: null; phone: null };
  captured: boolean;
  created: number;
  currency: string;
  customer: string | null;
  description: string | null;
  disputed: boolean;
  failure_code: string | null;
  failure_message: string | null;
  livemode: false;
  outcome?: ChargeOutcome;
  /** Stripe does not copy the PaymentIntent's metadata onto its charges. */
  metadata: Metadata;
  paid: boolean;
  payment_intent: string;
  payment_method: string;
  payment_method_details:
    | {
        type: 'card';
        card: { brand: CardBrand; last4: string; exp_month: number; exp_year: number };
      }
    | { type: 'us_bank_account'; us_bank_account: { bank_name: string; last4: '6789' } };
  receipt_email: string | null;
  refunded: boolean;
  status: ChargeStatus;
}

export interface ChargeOutcome {
  network_status: 'approved_by_network' | 'declined_by_network';
  reason: string | null;
  risk_level: 'normal';
  seller_message: string;
  type: 'authorized' | 'issuer_declined';
}

export type RefundReason = 'duplicate' | 'fraudulent' | 'requested_by_customer';

export interface Refund {
  id: string;
  object: 'refund';
  amount: number;
  balance_transaction: null;
  charge: string;
  created: number;
  currency: string;
  metadata: Metadata;
  payment_intent: string;
  reason: RefundReason | null;
  receipt_number: null;
  source_transfer_reversal: null;
  status: 'succeeded';
  transfer_reversal: null;
}

export interface Dispute {
  id: string;
  object: 'dispute';
  amount: number;
  balance_transactions: unknown[];
  charge: string;
  created: number;
  currency: string;
  evidence_details: {
    due_by: number;
    has_evidence: false;
    past_due: false;
    submission_count: 0;
  };
  is_charge_refundable: false;
  livemode: false;
  metadata: Metadata;
  payment_intent: string;
  reason: 'fraudulent';
  status: 'needs_response';
}

export type StripeEventType =
  | 'checkout.session.completed'
  | 'checkout.session.async_payment_succeeded'
  | 'checkout.session.async_payment_failed'
  | 'checkout.session.expired'
  | 'payment_intent.succeeded'
  | 'payment_intent.payment_failed'
  | 'payment_method.detached'
  | 'charge.refunded'
  | 'charge.dispute.created';

export type EventObject = CheckoutSession | PaymentIntent | Charge | Dispute | PaymentMethod;

export interface StripeEvent {
  id: string;
  object: 'event';
  api_version: string;
  created: number;
  data: { object: EventObject; previous_attributes?: Record<string, unknown> };
  livemode: false;
  pending_webhooks: number;
  /** The API request that caused the event; both null when a customer's action on a page did. */
  request: { id: string | null; idempotency_key: string | null };
  type: StripeEventType;
}

/** Any object the API returns, keyed by its `object` field. */
export type ApiObject =
  | Product
  | Price
  | PaymentLink
  | CheckoutSession
  | PaymentIntent
  | Charge
  | Refund
  | Dispute
  | Customer
  | PaymentMethod
  | StripeEvent;
