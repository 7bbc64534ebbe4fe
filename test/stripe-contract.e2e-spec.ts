import Stripe from 'stripe';
import type { StripeEmulator } from '../src/stripe-emulator';
import { EXPECTED, runStripeContract } from './contract/stripe-contract';
import { startStripeEmulator } from './support/stripe';

describe('Stripe contract, against the emulator', () => {
  let emulator: StripeEmulator;
  beforeAll(async () => {
    emulator = await startStripeEmulator();
  });
  afterAll(() => emulator.close());

  it('answers every request Courtside makes the way Stripe does', async () => {
    const stripe = new Stripe('sk_test_contract', {
      host: '127.0.0.1',
      port: emulator.port,
      protocol: 'http',
      maxNetworkRetries: 0,
    });
    const results = await runStripeContract(stripe, `run${Date.now()}`);
    for (const { name, relied } of results) {
      if (name in EXPECTED) expect({ name, relied }).toEqual({ name, relied: EXPECTED[name] });
    }
    const link = results.find((r) => r.name === 'payment link')!.relied as Record<string, unknown>;
    expect(link).toMatchObject({
      id: 'plink_',
      url: 'string',
      active: true,
      replayed_same_link: true,
    });
    expect(link.restrictions).toEqual({ completed_sessions: { count: 0, limit: 1 } });
  });
});
