/**
 * The Stripe object types other modules read (webhook payloads), so that only src/stripe/
 * imports the SDK.
 */
import type Stripe from 'stripe';

export type StripeEventPayload = Stripe.Event;
export type CheckoutSession = Stripe.Checkout.Session;
export type PaymentIntent = Stripe.PaymentIntent;
export type PaymentMethod = Stripe.PaymentMethod;
export type Charge = Stripe.Charge;
export type Dispute = Stripe.Dispute;
export type PaymentLink = Stripe.PaymentLink;
export type LineItem = Stripe.LineItem;
