import { randomBytes } from 'node:crypto';
import { chmod, mkdir, rename, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { createTransport, Transporter } from 'nodemailer';
import type StreamTransport from 'nodemailer/lib/stream-transport';
import { MailDeliveryError } from '../mail.errors';
import type { DeliveredMail, MailTransport, OutgoingMail } from '../mail-transport';
import { toNodemailerMessage } from './nodemailer-message';

/**
 * Each message as an `.eml` file (the RFC 5322 bytes an SMTP server would receive) under
 * `<DATA_DIR>/outbox/`, for a machine with no mail server: open one in any mail client.
 */
export class OutboxTransport implements MailTransport {
  readonly kind = 'outbox';
  readonly directory: string;
  readonly destination: string;
  readonly concurrency = 1;
  private directoryChecked = false;
  private readonly composer: Transporter<StreamTransport.SentMessageInfo>;

  constructor(dataDir: string) {
    this.directory = path.resolve(dataDir, 'outbox');
    this.destination = `the outbox: one .eml file per message in ${this.directory}`;
    this.composer = createTransport({
      streamTransport: true,
      buffer: true,
      newline: 'windows',
    });
  }

  async deliver(mail: OutgoingMail): Promise<DeliveredMail> {
    try {
      const info = await this.composer.sendMail(toNodemailerMessage(mail));
      const bytes = info.message as Buffer;
      await this.ensureDirectory();
      const file = path.join(this.directory, fileNameFor(info.messageId));
      // Written aside and renamed, so a reader never opens half a message.
      const partial = `${file}.${randomBytes(4).toString('hex')}.part`;
      // Families' addresses and pay links: for the service's own user only.
      await writeFile(partial, bytes, { mode: 0o600 });
      await rename(partial, file);
      return { messageId: info.messageId };
    } catch (error) {
      throw new MailDeliveryError(
        `Mail to ${mail.to} not written to ${this.directory}: ${(error as Error).message}`,
        mail.to,
        false,
      );
    }
  }

  async close(): Promise<void> {}

  /** The folder is the owner's only too, also when an earlier version made it readable to all. */
  private async ensureDirectory(): Promise<void> {
    const made = await mkdir(this.directory, { recursive: true, mode: 0o700 });
    if (!made && !this.directoryChecked) await chmod(this.directory, 0o700);
    this.directoryChecked = true;
  }
}

/** Sorts by time; the Message-ID keeps two messages of one millisecond apart. */
function fileNameFor(messageId: string): string {
  const stamp = new Date().toISOString().replace(/[:.]/g, '-');
  const id = messageId.replace(/[^A-Za-z0-9@.-]/g, '').replace(/@.*/, '');
  return `${stamp}-${id}.eml`;
}
