import Stripe from 'stripe';
import { EMULATED_API_VERSION, signStripePayload } from './index';

const stripe = new Stripe('sk_test_signature_spec');
const payload = JSON.stringify(
  { id: 'evt_1', object: 'event', type: 'checkout.session.completed' },
  null,
  2,
);

describe('signStripePayload', () => {
  it('writes Stripe-Signature as t=…,v1=… that the SDK constructEvent accepts', () => {
    const header = signStripePayload(payload, 'whsec_current');
    expect(header).toMatch(/^t=\d+,v1=[0-9a-f]{64}$/);
    expect(stripe.webhooks.constructEvent(payload, header, 'whsec_current')).toMatchObject({
      id: 'evt_1',
    });
  });

  it('signs once per secret; the header verifies against either of two secrets (rotation)', () => {
    const header = signStripePayload(payload, ['whsec_old', 'whsec_new']);
    expect(header.split(',').filter((part) => part.startsWith('v1='))).toHaveLength(2);
    expect(() => stripe.webhooks.constructEvent(payload, header, 'whsec_old')).not.toThrow();
    expect(() => stripe.webhooks.constructEvent(payload, header, 'whsec_new')).not.toThrow();
    expect(() => stripe.webhooks.constructEvent(payload, header, 'whsec_other')).toThrow(
      Stripe.errors.StripeSignatureVerificationError,
    );
  });

  it('is rejected for a changed body or a timestamp older than the tolerance', () => {
    const header = signStripePayload(payload, 'whsec_current');
    expect(() => stripe.webhooks.constructEvent(`${payload} `, header, 'whsec_current')).toThrow(
      Stripe.errors.StripeSignatureVerificationError,
    );
    const old = signStripePayload(payload, 'whsec_current', Math.floor(Date.now() / 1000) - 301);
    expect(() => stripe.webhooks.constructEvent(payload, old, 'whsec_current')).toThrow(
      /tolerance/,
    );
  });

  it('matches the SDK own generateTestHeaderString byte for byte', () => {
    const timestamp = 1_700_000_000;
    expect(signStripePayload(payload, 'whsec_current', timestamp)).toBe(
      stripe.webhooks.generateTestHeaderString({ payload, secret: 'whsec_current', timestamp }),
    );
  });
});

describe('emulated API version', () => {
  it('is the version the installed stripe SDK pins', () => {
    expect(EMULATED_API_VERSION).toBe(Stripe.API_VERSION);
  });
});
