import { apiErrors, type StripeApiError } from '../stripe-api-error';

/** The first answer given for a key, replayed byte for byte. */
export interface StoredResponse {
  status: number;
  body: string;
  requestId: string;
}

interface KeyRecord {
  endpoint: string;
  fingerprint: string;
  /** Epoch ms of the first request: Stripe forgets a key after 24 hours. */
  createdAt: number;
  response?: StoredResponse;
}

const KEY_LIFETIME_MS = 24 * 60 * 60 * 1000;

/** A key whose request has answered, as the state file keeps it. */
export interface SavedKey extends Required<KeyRecord> {
  scoped: string;
}

export type IdempotencyDecision =
  | { kind: 'proceed'; finish: (response: StoredResponse | undefined) => void }
  | { kind: 'replay'; response: StoredResponse }
  | { kind: 'reject'; error: StripeApiError };

export const MAX_IDEMPOTENCY_KEY_LENGTH = 255;

/**
 * Stripe's idempotency for POSTs: the same key on the same endpoint with the same parameters gets
 * the first response again; other parameters or another endpoint → 400 `idempotency_error`;
 * a key whose first request is still running → 409. Keys are kept 24 hours, as Stripe keeps
 * them, across restarts with a state file, and scoped to the API key, i.e. to the account.
 */
export class IdempotencyStore {
  private readonly records = new Map<string, KeyRecord>();

  constructor(private readonly now: () => number = Date.now) {}

  private expired(record: KeyRecord): boolean {
    return this.now() - record.createdAt > KEY_LIFETIME_MS;
  }

  /** Keys with an answer; one still running has none, and is free again after a restart. */
  saved(): SavedKey[] {
    return [...this.records]
      .filter(([, record]) => record.response && !this.expired(record))
      .map(([scoped, record]) => ({ scoped, ...(record as Required<KeyRecord>) }));
  }

  restore(keys: SavedKey[]): void {
    for (const { scoped, ...record } of keys) this.records.set(scoped, record);
  }

  begin(account: string, key: string, endpoint: string, params: unknown): IdempotencyDecision {
    if (key.length > MAX_IDEMPOTENCY_KEY_LENGTH) {
      return { kind: 'reject', error: apiErrors.idempotencyKeyTooLong() };
    }
    const scoped = `${account}\u0000${key}`;
    const fingerprint = canonicalJson(params);
    let existing = this.records.get(scoped);
    if (existing && this.expired(existing)) {
      this.records.delete(scoped);
      existing = undefined;
    }
    if (existing) {
      if (existing.endpoint !== endpoint) {
        const detail = `for the same endpoint they were first used for (${existing.endpoint} vs ${endpoint})`;
        return { kind: 'reject', error: apiErrors.idempotencyMismatch(key, detail) };
      }
      if (existing.fingerprint !== fingerprint) {
        const detail = 'with the same parameters they were first used with';
        return { kind: 'reject', error: apiErrors.idempotencyMismatch(key, detail) };
      }
      if (!existing.response) return { kind: 'reject', error: apiErrors.idempotencyInUse() };
      return { kind: 'replay', response: existing.response };
    }

    const record: KeyRecord = { endpoint, fingerprint, createdAt: this.now() };
    this.records.set(scoped, record);
    return {
      kind: 'proceed',
      // No response (the request was refused before any work) frees the key for a fresh attempt.
      finish: (response) => {
        if (response) record.response = response;
        else this.records.delete(scoped);
      },
    };
  }
}

/** JSON with object keys sorted, so the same parameters in another order compare equal. */
function canonicalJson(value: unknown): string {
  return JSON.stringify(value, (_key, inner: unknown) =>
    inner !== null && typeof inner === 'object' && !Array.isArray(inner)
      ? Object.fromEntries(Object.entries(inner).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)))
      : inner,
  );
}
