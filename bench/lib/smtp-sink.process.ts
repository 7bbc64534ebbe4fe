import type { AddressInfo } from 'node:net';
import { SMTPServer } from 'smtp-server';
import type { SinkReply, SinkRequest } from './smtp-sink';

/**
 * The SMTP sink's own process (forked by `startSmtpSink`), so its CPU is not the measured
 * service's: accepts every message on 127.0.0.1, drains the bytes unparsed, and counts messages,
 * bytes and distinct envelope recipients.
 */
let received = 0;
let bytes = 0;
let connections = 0;
let recipients = new Set<string>();
let target = Infinity;

const reply = (message: SinkReply): void => void process.send!(message);

const server = new SMTPServer({
  authOptional: true,
  disabledCommands: ['STARTTLS', 'AUTH'],
  disableReverseLookup: true,
  logger: false,
  closeTimeout: 1000,
  onConnect: (_session, callback) => {
    connections += 1;
    callback();
  },
  onData: (stream, session, callback) => {
    stream.on('data', (chunk: Buffer) => (bytes += chunk.length));
    stream.on('end', () => {
      received += 1;
      for (const rcpt of session.envelope.rcptTo) recipients.add(rcpt.address.toLowerCase());
      callback();
      if (received === target) reply(status('reached'));
    });
  },
});
server.on('error', () => undefined);

function status(type: 'reached' | 'status'): SinkReply {
  return { type, received, bytes, connections, distinctRecipients: recipients.size };
}

process.on('message', (request: SinkRequest) => {
  if (request.type === 'reset') {
    received = 0;
    bytes = 0;
    connections = 0;
    recipients = new Set();
    target = Infinity;
    reply(status('status'));
  } else if (request.type === 'expect') {
    target = request.count;
    if (received >= target) reply(status('reached'));
  } else if (request.type === 'status') {
    reply(status('status'));
  } else {
    server.close(() => process.exit(0));
  }
});
process.on('disconnect', () => process.exit(0));

server.listen(0, '127.0.0.1', () => {
  reply({ type: 'listening', port: (server.server.address() as AddressInfo).port });
});
