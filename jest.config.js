/** Unit tests sit beside the code; app-level suites in test/ run against real PostgreSQL. */
const tsJest = ['ts-jest', { tsconfig: 'tsconfig.json', diagnostics: { warnOnly: false } }];

module.exports = {
  // Global options: inside a project Jest ignores them.
  testTimeout: 60_000,
  // The app suites mostly wait on PostgreSQL, child processes and sockets: two files at a time
  // keep a 2-core machine busy (one, Jest's default there, leaves it half idle). More would
  // multiply the connections each file's app opens.
  maxWorkers: 2,
  projects: [
    {
      displayName: 'unit',
      testEnvironment: 'node',
      rootDir: '.',
      testMatch: ['<rootDir>/src/**/*.spec.ts'],
      transform: { '^.+\\.ts$': tsJest },
    },
    {
      displayName: 'app',
      testEnvironment: 'node',
      rootDir: '.',
      testMatch: ['<rootDir>/test/**/*.e2e-spec.ts'],
      transform: { '^.+\\.ts$': tsJest },
      globalSetup: '<rootDir>/test/support/global-setup.ts',
      globalTeardown: '<rootDir>/test/support/global-teardown.ts',
    },
    {
      // Only `npm run test:stripe-live`, with STRIPE_TEST_SECRET_KEY: it talks to Stripe.
      displayName: 'stripe-live',
      testEnvironment: 'node',
      rootDir: '.',
      testMatch: ['<rootDir>/test/live/**/*.live-spec.ts'],
      transform: { '^.+\\.ts$': tsJest },
      globalSetup: '<rootDir>/test/support/global-setup.ts',
      globalTeardown: '<rootDir>/test/support/global-teardown.ts',
    },
  ],
};
