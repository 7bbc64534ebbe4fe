import {
  appConfig,
  InvalidConfigurationError,
  mailConfig,
  stripeConfig,
  validateEnvironment,
} from '.';

describe('configuration', () => {
  it('accepts an empty environment: every area has a working default', () => {
    expect(() => validateEnvironment({})).not.toThrow();
  });

  it('lists every problem at once, naming each variable', () => {
    let caught: unknown;
    try {
      validateEnvironment({
        PORT: 'http',
        DATABASE_URL: 'mysql://x',
        SMTP_URL: 'ftp://mail',
        LOG_LEVEL: 'loud',
      });
    } catch (error) {
      caught = error;
    }
    expect(caught).toBeInstanceOf(InvalidConfigurationError);
    const problems = (caught as InvalidConfigurationError).problems.join('\n');
    for (const name of ['PORT', 'DATABASE_URL', 'SMTP_URL', 'LOG_LEVEL'])
      expect(problems).toContain(name);
  });

  it('requires the webhook secret once a real Stripe key is set', () => {
    expect(() => validateEnvironment({ STRIPE_SECRET_KEY: 'sk_test_abc123' })).toThrow(
      /STRIPE_WEBHOOK_SECRET/,
    );
    expect(() =>
      validateEnvironment({
        STRIPE_SECRET_KEY: 'sk_test_abc123',
        STRIPE_WEBHOOK_SECRET: 'whsec_a,whsec_b',
      }),
    ).not.toThrow();
  });

  it('never puts a secret value in its error message', () => {
    expect(() => validateEnvironment({ STRIPE_SECRET_KEY: 'pk_live_supersecretvalue' })).toThrow(
      expect.objectContaining({ message: expect.not.stringContaining('supersecretvalue') }),
    );
  });

  it('uses the emulator, in test mode, when no Stripe key is set', () => {
    const saved = { ...process.env };
    process.env = {};
    try {
      expect(stripeConfig()).toMatchObject({
        emulator: true,
        livemode: false,
        rateLimitPerSecond: 20,
      });
      // No secret in the code: the emulator's comes from its data folder (S5).
      expect(stripeConfig().webhookSecrets).toEqual([]);
    } finally {
      process.env = saved;
    }
  });

  describe('the emulator is never reachable from the network or pointed at real data by default (S5)', () => {
    const saved = { ...process.env };
    afterEach(() => {
      process.env = { ...saved };
    });

    it('listens on loopback with the emulator, on every interface with a real key, and HOST wins', () => {
      process.env = {};
      expect(appConfig().host).toBe('127.0.0.1');
      process.env = { STRIPE_SECRET_KEY: 'sk_live_x1', STRIPE_WEBHOOK_SECRET: 'whsec_1' };
      expect(appConfig().host).toBe('0.0.0.0');
      process.env = { HOST: '0.0.0.0' };
      expect(appConfig().host).toBe('0.0.0.0');
    });

    it('refuses the emulator with a DATABASE_URL unless STRIPE_MODE=emulator says so', () => {
      const url = 'postgres://db.internal/courtside';
      expect(() => validateEnvironment({ DATABASE_URL: url })).toThrow(/STRIPE_MODE=emulator/);
      expect(() =>
        validateEnvironment({ DATABASE_URL: url, STRIPE_MODE: 'emulator' }),
      ).not.toThrow();
      expect(() =>
        validateEnvironment({
          DATABASE_URL: url,
          STRIPE_SECRET_KEY: 'sk_test_abc123',
          STRIPE_WEBHOOK_SECRET: 'whsec_a',
        }),
      ).not.toThrow();
    });

    it('refuses a STRIPE_MODE that contradicts the key', () => {
      expect(() =>
        validateEnvironment({
          STRIPE_MODE: 'emulator',
          STRIPE_SECRET_KEY: 'sk_test_abc123',
          STRIPE_WEBHOOK_SECRET: 'whsec_a',
        }),
      ).toThrow(/cannot be combined/);
      expect(() => validateEnvironment({ STRIPE_MODE: 'stripe' })).toThrow(/STRIPE_SECRET_KEY/);
      expect(() => validateEnvironment({ STRIPE_MODE: 'sometimes' })).toThrow(/STRIPE_MODE/);
    });

    it('lets a second instance use the emulator another one serves, with the secret it signs with', () => {
      const joined = {
        STRIPE_EMULATOR_URL: 'http://127.0.0.1:12111/',
        STRIPE_WEBHOOK_SECRET: 'whsec_shared',
      };
      expect(() => validateEnvironment(joined)).not.toThrow();
      const saved = process.env;
      try {
        process.env = { ...joined };
        expect(stripeConfig().sharedEmulatorUrl).toBe('http://127.0.0.1:12111');
        process.env = {};
        expect(stripeConfig().sharedEmulatorUrl).toBeUndefined();
      } finally {
        process.env = saved;
      }
      expect(() =>
        validateEnvironment({ STRIPE_EMULATOR_URL: joined.STRIPE_EMULATOR_URL }),
      ).toThrow(/STRIPE_WEBHOOK_SECRET is required with STRIPE_EMULATOR_URL/);
      expect(() => validateEnvironment({ ...joined, STRIPE_SECRET_KEY: 'sk_test_abc123' })).toThrow(
        /STRIPE_EMULATOR_URL is for the emulator/,
      );
      expect(() =>
        validateEnvironment({ ...joined, STRIPE_EMULATOR_URL: 'ftp://emulator' }),
      ).toThrow(/STRIPE_EMULATOR_URL/);
    });
  });

  describe('typed values', () => {
    const saved = { ...process.env };
    afterEach(() => {
      process.env = { ...saved };
    });

    it('derives defaults and reads overrides', () => {
      process.env = {
        PORT: '4000',
        STRIPE_SECRET_KEY: 'sk_live_x1',
        STRIPE_WEBHOOK_SECRET: 'whsec_1,whsec_2',
        SMTP_URL: 'smtp://mail:25',
      };
      expect(appConfig()).toMatchObject({
        port: 4000,
        publicBaseUrl: 'http://localhost:4000',
        dataDir: '.data',
      });
      expect(stripeConfig()).toMatchObject({
        emulator: false,
        secretKey: 'sk_live_x1',
        webhookSecrets: ['whsec_1', 'whsec_2'],
        livemode: true,
        rateLimitPerSecond: 80,
        maxRetries: 6,
      });
      expect(mailConfig()).toMatchObject({
        transport: 'smtp',
        minIntervalHours: 24,
        smtpTimeouts: { connectionMs: 10_000, greetingMs: 10_000, socketMs: 30_000 },
      });

      process.env = {
        ...process.env,
        STRIPE_MAX_RETRIES: '0',
        SMTP_CONNECTION_TIMEOUT_MS: '2000',
        SMTP_GREETING_TIMEOUT_MS: '1500',
        SMTP_SOCKET_TIMEOUT_MS: '5000',
      };
      expect(stripeConfig().maxRetries).toBe(0);
      expect(mailConfig().smtpTimeouts).toEqual({
        connectionMs: 2000,
        greetingMs: 1500,
        socketMs: 5000,
      });
    });

    it('reads TRUST_PROXY as express takes it: off by default, a number of proxies, or their addresses', () => {
      process.env = {};
      expect(appConfig().trustProxy).toBe(false);
      for (const [setting, trustProxy] of [
        ['false', false],
        ['0', false],
        ['1', 1],
        ['2', 2],
        ['loopback', ['loopback']],
        ['10.0.0.0/8, 192.168.1.10,uniquelocal', ['10.0.0.0/8', '192.168.1.10', 'uniquelocal']],
        ['fd00::/8,::1', ['fd00::/8', '::1']],
      ] as const) {
        process.env = { TRUST_PROXY: setting };
        expect(() => validateEnvironment(process.env)).not.toThrow();
        expect({ setting, trustProxy: appConfig().trustProxy }).toEqual({ setting, trustProxy });
      }
    });

    it('JOB_WORKERS=off makes an instance that serves HTTP only; anything but on or off is refused', () => {
      process.env = {};
      expect(appConfig().jobWorkers).toBe(true);
      process.env = { JOB_WORKERS: 'off' };
      expect(appConfig().jobWorkers).toBe(false);
      expect(() => validateEnvironment({ JOB_WORKERS: 'no' })).toThrow(/JOB_WORKERS/);
    });

    it('refuses a TRUST_PROXY that is not a proxy setting, and true, which would let a client pick its own address', () => {
      for (const setting of [
        'true',
        'yes',
        '-1',
        '1.5',
        '10.0.0.0/33',
        '300.1.1.1',
        'loopback,',
        '10.0.0.1/8/8',
        'localhost',
      ])
        expect(() => validateEnvironment({ TRUST_PROXY: setting })).toThrow(
          expect.objectContaining({
            message: expect.stringMatching(/TRUST_PROXY.*number of proxies/),
          }),
        );
    });

    it('refuses mail timeouts under 100 ms and more than 10 Stripe retries', () => {
      expect(() =>
        validateEnvironment({ SMTP_SOCKET_TIMEOUT_MS: '0', STRIPE_MAX_RETRIES: '11' }),
      ).toThrow(
        /SMTP_SOCKET_TIMEOUT_MS[\s\S]*STRIPE_MAX_RETRIES|STRIPE_MAX_RETRIES[\s\S]*SMTP_SOCKET_TIMEOUT_MS/,
      );
    });
  });
});
