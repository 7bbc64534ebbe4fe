import { MailContentRefused } from './mail.errors';

// CR and LF end a header line; the other C0 controls, DEL and the Unicode line breaks have
// no business in one either.
// eslint-disable-next-line no-control-regex
const LINE_BREAKING = /[\u0000-\u0008\u000a-\u001f\u007f\u0085\u2028\u2029]/;
// eslint-disable-next-line no-control-regex
const LINE_BREAKING_RUNS = /[\s\u0000-\u001f\u007f\u0085\u2028\u2029]+/g;

/** One line of text for a subject built from club data: breaks become spaces, never new headers. */
export function singleLine(value: string): string {
  return value.replace(LINE_BREAKING_RUNS, ' ').trim();
}

/** A header value handed to `send` must already be one line: a break there is an injection attempt. */
export function assertHeaderValue(field: string, value: string): string {
  if (LINE_BREAKING.test(value)) {
    throw new MailContentRefused(field, 'contains a line break or control character');
  }
  if (value.trim() === '') throw new MailContentRefused(field, 'is empty');
  return value;
}

const HEADER_NAME = /^[A-Za-z0-9][A-Za-z0-9-]*$/;
/** Set from the message's own fields; a caller's `headers` may not override them. */
const RESERVED_HEADERS = new Set([
  'from',
  'sender',
  'to',
  'cc',
  'bcc',
  'reply-to',
  'subject',
  'date',
  'mime-version',
  'content-type',
  'content-transfer-encoding',
]);

export function assertExtraHeaders(headers: Record<string, string>): Record<string, string> {
  for (const [name, value] of Object.entries(headers)) {
    if (!HEADER_NAME.test(name)) {
      throw new MailContentRefused(`headers`, `has an invalid header name ${JSON.stringify(name)}`);
    }
    if (RESERVED_HEADERS.has(name.toLowerCase())) {
      throw new MailContentRefused(`headers.${name}`, 'is set by the mailer, not by the caller');
    }
    assertHeaderValue(`headers.${name}`, value);
  }
  return headers;
}

// One mailbox, no display name, no list: what a parent's or a club's address column holds.
const MAILBOX = /^[^\s@<>()[\]\\,;:"]+@[^\s@<>()[\]\\,;:"]+\.[^\s@<>()[\]\\,;:".]+$/;

export function assertMailbox(field: string, value: string): string {
  assertHeaderValue(field, value);
  if (value.length > 254 || !MAILBOX.test(value)) {
    throw new MailContentRefused(field, 'is not a single email address');
  }
  return value;
}

/** Links in a message (Pay Now, logo) are http(s) only: no javascript:, data: or mailto: tricks. */
export function assertHttpUrl(field: string, value: string): string {
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    throw new MailContentRefused(field, 'is not a URL');
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:') {
    throw new MailContentRefused(field, `must be an http(s) URL, not ${url.protocol}`);
  }
  return url.href;
}
