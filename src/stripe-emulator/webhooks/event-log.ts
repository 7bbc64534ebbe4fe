import {
  EMULATED_API_VERSION,
  type EventObject,
  type StripeEvent,
  type StripeEventType,
} from '../objects/api-objects';
import type { EmulatorState } from '../objects/emulator-state';
import { newId, unixSeconds } from '../objects/ids';

/** The API request behind an event; both null when none was (a customer, a bank, a timeout). */
export interface EventCause {
  requestId: string | null;
  idempotencyKey: string | null;
}

export const NO_API_REQUEST: EventCause = { requestId: null, idempotencyKey: null };

/** Records an event about `object` as it is now. */
export type Emit = (
  type: StripeEventType,
  object: EventObject,
  previousAttributes?: Record<string, unknown>,
) => StripeEvent;

/**
 * Every event the account produced, with the exact bytes that are delivered for it: Stripe sends
 * the same pretty-printed JSON on every attempt, and signatures are computed over those bytes.
 */
export class EventLog {
  private readonly payloads = new Map<string, string>();

  constructor(
    private readonly state: EmulatorState,
    private readonly endpointCount: () => number,
  ) {}

  record(
    type: StripeEventType,
    object: EventObject,
    cause: EventCause,
    previousAttributes?: Record<string, unknown>,
  ): StripeEvent {
    const event: StripeEvent = {
      id: newId.event(),
      object: 'event',
      api_version: EMULATED_API_VERSION,
      created: unixSeconds(),
      data: {
        object: structuredClone(object),
        ...(previousAttributes && { previous_attributes: previousAttributes }),
      },
      livemode: false,
      pending_webhooks: this.endpointCount(),
      request: { id: cause.requestId, idempotency_key: cause.idempotencyKey },
      type,
    };
    this.state.events.set(event.id, event);
    this.payloads.set(event.id, JSON.stringify(event, null, 2));
    return event;
  }

  /** The bytes of events taken back from a state file: the same JSON they were first sent as. */
  restore(events: Iterable<StripeEvent>): void {
    for (const event of events) this.payloads.set(event.id, JSON.stringify(event, null, 2));
  }

  emitterFor(cause: EventCause, onRecorded: (event: StripeEvent) => void): Emit {
    return (type, object, previousAttributes) => {
      const event = this.record(type, object, cause, previousAttributes);
      onRecorded(event);
      return event;
    };
  }

  payload(eventId: string): string {
    const payload = this.payloads.get(eventId);
    if (payload === undefined) throw new Error(`No such event: ${eventId}`);
    return payload;
  }
}
