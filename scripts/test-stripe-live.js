#!/usr/bin/env node
// `npm run test:stripe-live`: the emulator-vs-Stripe contract, only with a test-mode key.
const { spawnSync } = require('node:child_process');

const key = process.env.STRIPE_TEST_SECRET_KEY;
if (!key) {
  console.log(
    'test:stripe-live skipped: set STRIPE_TEST_SECRET_KEY (sk_test_…) to compare the emulator with Stripe test mode.',
  );
  process.exit(0);
}
if (!key.startsWith('sk_test_')) {
  console.error(
    'STRIPE_TEST_SECRET_KEY must start with sk_test_: this check never runs against live mode.',
  );
  process.exit(1);
}
const run = spawnSync('npx', ['jest', '--selectProjects', 'stripe-live'], { stdio: 'inherit' });
process.exit(run.status ?? 1);
