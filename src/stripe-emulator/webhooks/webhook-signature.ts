import { createHmac, randomBytes } from 'node:crypto';

/** A signing secret in Stripe's shape, 256 random bits: nothing anyone could guess. */
export function newWebhookSecret(): string {
  return `whsec_${randomBytes(32).toString('hex')}`;
}

/**
 * The `Stripe-Signature` header for a payload, exactly Stripe's scheme:
 * `t=<unix seconds>,v1=<hex HMAC-SHA256(secret, "<t>.<payload>")>`, one `v1` per secret (several
 * while a secret is being rolled; a receiver accepts the payload when any one matches).
 */
export function signStripePayload(
  payload: string,
  secrets: string | string[],
  timestamp: number = Math.floor(Date.now() / 1000),
): string {
  const signatures = (Array.isArray(secrets) ? secrets : [secrets]).map(
    (secret) =>
      `v1=${createHmac('sha256', secret).update(`${timestamp}.${payload}`, 'utf8').digest('hex')}`,
  );
  return [`t=${timestamp}`, ...signatures].join(',');
}
