/** What global setup hands to the test files, through the environment the workers inherit. */
export const TEST_ENV = {
  serverUrl: 'COURTSIDE_TEST_SERVER_URL',
  template: 'COURTSIDE_TEST_TEMPLATE',
} as const;
