import { deliveryError } from './smtp.transport';

/** Errors shaped as nodemailer's SMTP connection raises them. */
const smtpError = (message: string, fields: Record<string, unknown>) =>
  Object.assign(new Error(message), fields);

describe('deliveryError', () => {
  it('a server gone quiet mid-send may have taken the message: the failure says check before retrying', () => {
    const failure = deliveryError(
      smtpError('Timeout', { code: 'ETIMEDOUT', timeoutType: 'SOCKET_TIMEOUT', command: 'CONN' }),
      'ann@families.example',
    );
    expect(failure.message).toMatch(/may have reached the family.*Timeout.*check before retrying/);
    expect(failure.permanent).toBe(false);
  });

  it('a connection dropped mid-send says the same', () => {
    const failure = deliveryError(
      smtpError('Connection closed unexpectedly', { code: 'ECONNECTION' }),
      'ann@families.example',
    );
    expect(failure.message).toMatch(/may have reached the family/);
  });

  it.each([
    [
      'no greeting',
      smtpError('Greeting never received', { code: 'ETIMEDOUT', timeoutType: 'GREETING_TIMEOUT' }),
    ],
    ['no connection', smtpError('connect ECONNREFUSED 127.0.0.1:25', { code: 'ESOCKET' })],
    ['a refused mailbox', smtpError('550 No such user', { code: 'EENVELOPE', responseCode: 550 })],
  ])('%s is plainly not delivered', (_, error) => {
    expect(deliveryError(error, 'ann@families.example').message).toMatch(/not delivered/);
  });

  it('a 5xx reply is permanent, a 4xx one is not', () => {
    expect(deliveryError(smtpError('550', { responseCode: 550 }), 'a@b.example').permanent).toBe(
      true,
    );
    expect(deliveryError(smtpError('451', { responseCode: 451 }), 'a@b.example').permanent).toBe(
      false,
    );
  });
});
