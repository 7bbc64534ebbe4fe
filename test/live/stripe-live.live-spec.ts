import Stripe from 'stripe';
import type { StripeEmulator } from '../../src/stripe-emulator';
import { EXPECTED, runStripeContract } from '../contract/stripe-contract';
import { startStripeEmulator } from '../support/stripe';

/**
 * The emulator's fidelity check: the same contract against Stripe's test mode and against
 * the emulator; every relied-upon field must agree. Runs only by `npm run test:stripe-live`.
 */
describe("the emulator answers like Stripe's test mode", () => {
  const key = process.env.STRIPE_TEST_SECRET_KEY ?? '';
  let emulator: StripeEmulator;
  beforeAll(async () => {
    if (!key.startsWith('sk_test_'))
      throw new Error('STRIPE_TEST_SECRET_KEY must be a test-mode key (sk_test_…)');
    emulator = await startStripeEmulator();
  });
  afterAll(() => emulator?.close());

  it('gives the same relied-upon answers as Stripe for every request Courtside makes', async () => {
    const runId = `live${Date.now()}`;
    const real = await runStripeContract(new Stripe(key, { maxNetworkRetries: 2 }), runId);
    const emulated = await runStripeContract(
      new Stripe('sk_test_contract', { host: '127.0.0.1', port: emulator.port, protocol: 'http' }),
      runId,
    );
    expect(emulated).toEqual(real);
    for (const { name, relied } of real) {
      if (name in EXPECTED) expect({ name, relied }).toEqual({ name, relied: EXPECTED[name] });
    }
  }, 120_000);
});
