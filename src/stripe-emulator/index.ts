export { StripeEmulator, type StripeEmulatorOptions, type FaultOptions } from './stripe-emulator';
export { newWebhookSecret, signStripePayload } from './webhooks/webhook-signature';
export { webhookSecretIn } from './persistence/state-file';
export type { CompleteOptions, SettleOutcome } from './payments/payment-flow';
export type { PaymentMethodKind } from './payments/payment-objects';
export { TEST_CARD_TOKENS, type TestCardToken } from './payments/test-cards';
export type { FaultKind } from './reliability/fault-injector';
export type { RecordedRequest } from './server/api-pipeline';
export type { Delivery } from './webhooks/webhook-dispatcher';
export type { StripeErrorBody } from './stripe-api-error';
export {
  EMULATED_API_VERSION,
  type AfterCompletion,
  type ApiList,
  type Charge,
  type CheckoutPaymentStatus,
  type CheckoutSession,
  type CheckoutSessionStatus,
  type Customer,
  type CustomerCreation,
  type Dispute,
  type EventObject,
  type LineItem,
  type Metadata,
  type PaymentIntent,
  type PaymentLink,
  type PaymentError,
  type PaymentMethod,
  type Price,
  type Product,
  type Refund,
  type StripeEvent,
  type StripeEventType,
} from './objects/api-objects';
