import { MailContentRefused } from './mail.errors';
import {
  assertExtraHeaders,
  assertHeaderValue,
  assertHttpUrl,
  assertMailbox,
  singleLine,
} from './mail-guards';

describe('mail guards', () => {
  it.each([
    ['Statement\r\nBcc: victim@example.com', 'Statement Bcc: victim@example.com'],
    ['a\n\n\nb', 'a b'],
    ['a\u2028b\u0085c', 'a b c'],
    ['  tab\there  ', 'tab here'],
  ])('singleLine(%j) keeps one line: %j', (value, expected) => {
    expect(singleLine(value)).toBe(expected);
  });

  it.each(['a\r\nBcc: x@y.z', 'a\nb', 'a\rb', 'a\u0000b', 'a\u2029b'])(
    'a header value %j with a line break or control character is refused',
    (value) => {
      expect(() => assertHeaderValue('subject', value)).toThrow(MailContentRefused);
    },
  );

  it('a plain header value passes unchanged, tabs and non-ASCII included', () => {
    expect(assertHeaderValue('subject', 'Équipe\tU12: $125.00 due')).toBe(
      'Équipe\tU12: $125.00 due',
    );
  });

  it('extra headers may not reuse the names the mailer sets', () => {
    expect(assertExtraHeaders({ 'X-Courtside-Blast': '7', 'List-Id': 'club' })).toEqual({
      'X-Courtside-Blast': '7',
      'List-Id': 'club',
    });
    for (const name of ['to', 'CC', 'Bcc', 'Sender', 'MIME-Version']) {
      expect(() => assertExtraHeaders({ [name]: 'x' })).toThrow(MailContentRefused);
    }
  });

  it.each([
    ['https://pay.example/plink_1?a=1&b=2', 'https://pay.example/plink_1?a=1&b=2'],
    ['http://127.0.0.1:4010/pay/plink_1', 'http://127.0.0.1:4010/pay/plink_1'],
    ['HTTPS://Pay.Example/x y', 'https://pay.example/x%20y'],
  ])('an http(s) URL %j passes, normalised to %j', (value, expected) => {
    expect(assertHttpUrl('payUrl', value)).toBe(expected);
  });

  it.each([
    'javascript:alert(1)',
    '\tjavascript:alert(1)',
    'jav&#x09;ascript:alert(1)',
    'data:text/html;base64,PHNjcmlwdD4=',
    'ftp://files.example/x',
    '//pay.example/no-scheme',
    '',
  ])('the URL %j is refused', (value) => {
    expect(() => assertHttpUrl('payUrl', value)).toThrow(MailContentRefused);
  });

  it.each(['ana@families.example', 'o.brien+club@mail.example.co.uk'])(
    'the mailbox %j passes',
    (value) => {
      expect(assertMailbox('to', value)).toBe(value);
    },
  );

  it.each([
    'a@b.example, c@d.example',
    '"Ana" <a@b.example>',
    'a@b',
    'a b@c.example',
    'a@b.example\r\n',
  ])('the mailbox %j is refused', (value) => {
    expect(() => assertMailbox('to', value)).toThrow(MailContentRefused);
  });
});
