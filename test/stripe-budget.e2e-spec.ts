import { stripeConfig } from '../src/config';
import type { StripeEmulator } from '../src/stripe-emulator';
import { StripeBudget } from '../src/stripe/stripe-budget';
import { StripeService } from '../src/stripe/stripe.service';
import { createTestDatabase } from './support/database';
import { busiestSecond, startStripeEmulator } from './support/stripe';

/**
 * Several Courtside processes on one database (O4) share one Stripe budget: each instance here
 * is a StripeService with its own StripeBudget and connection, as a separate process has.
 */
describe('The Stripe budget all instances share', () => {
  let stripe: StripeEmulator;
  let databaseUrl: string;
  const budgets: StripeBudget[] = [];

  beforeAll(async () => {
    stripe = await startStripeEmulator();
    databaseUrl = await createTestDatabase();
  });

  afterAll(async () => {
    await Promise.all(budgets.map((budget) => budget.onApplicationShutdown()));
    await stripe.close();
  });

  beforeEach(() => {
    stripe.setLatency(0);
    stripe.setRateLimit(0);
  });

  function instance(perSecond: number): StripeService {
    const config = { ...stripeConfig(), rateLimitPerSecond: perSecond };
    const budget = new StripeBudget(config, databaseUrl);
    budgets.push(budget);
    return new StripeService(config, { apiUrl: stripe.url }, budget);
  }

  const createProducts = (service: StripeService, tag: string, count: number) =>
    Promise.all(
      Array.from({ length: count }, (_, i) =>
        service.createProduct({ name: `${tag} ${i}` }, `budget-test:${tag}:${i}`),
      ),
    );

  it('three instances calling at once send Stripe no more than the limit in any rolling second, and none gets a 429', async () => {
    const [a, b, c] = [instance(4), instance(4), instance(4)];
    stripe.setRateLimit(4);
    const before = stripe.requests.length;

    const made = await Promise.all([
      createProducts(a, 'a', 6),
      createProducts(b, 'b', 6),
      createProducts(c, 'c', 6),
    ]);

    expect(made.flat()).toHaveLength(18);
    const calls = stripe.requests.slice(before);
    expect(calls).toHaveLength(18);
    expect(calls.filter((call) => call.status !== 200)).toEqual([]);
    expect(busiestSecond(calls)).toBeLessThanOrEqual(4);
    // 18 calls at 4 a second: the fifth second at the earliest.
    const span = calls.at(-1)!.at - calls[0].at;
    expect(span).toBeGreaterThanOrEqual(4000);
  });

  it('a slow call keeps its slot until a second after it ended, so the next call on another instance waits for that', async () => {
    const [a, b] = [instance(1), instance(1)];
    // Apart from the test before: that one's last slots free a second after it ended.
    await new Promise((resolve) => setTimeout(resolve, 1100));
    stripe.setLatency(700);
    const before = stripe.requests.length;

    await Promise.all([createProducts(a, 'slow-a', 1), createProducts(b, 'slow-b', 1)]);

    const [first, second] = stripe.requests.slice(before);
    // The first arrived, was answered 700 ms later, and held its slot one more second.
    expect(second.at - first.at).toBeGreaterThanOrEqual(1600);
  });

  it('instances set to a lower limit use only that many slots of the shared table', async () => {
    const [a, b] = [instance(2), instance(2)];
    await new Promise((resolve) => setTimeout(resolve, 1100));
    const before = stripe.requests.length;

    await Promise.all([createProducts(a, 'low-a', 3), createProducts(b, 'low-b', 3)]);

    expect(busiestSecond(stripe.requests.slice(before))).toBeLessThanOrEqual(2);
  });
});
