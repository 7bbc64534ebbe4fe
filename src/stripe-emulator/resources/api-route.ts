import type { EmulatorState } from '../objects/emulator-state';
import type { FormParams } from '../params/form-parser';
import type { PaymentFlow } from '../payments/payment-flow';
import type { Emit } from '../webhooks/event-log';

/** One API call as a handler sees it, after authentication, limits and idempotency. */
export interface ApiCall {
  state: EmulatorState;
  flow: PaymentFlow;
  params: FormParams;
  pathParams: Readonly<Record<string, string>>;
  requestId: string;
  idempotencyKey: string | null;
  /** Records an event caused by this call; it is delivered after the response is sent. */
  emit: Emit;
}

export interface ApiReply {
  status?: number;
  body: object;
}

export interface ApiRoute {
  method: 'GET' | 'POST';
  /** `/v1/payment_links/:id` — `:name` segments land in `pathParams`. */
  path: string;
  handle: (call: ApiCall) => ApiReply;
}
