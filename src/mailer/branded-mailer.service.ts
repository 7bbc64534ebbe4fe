import { Inject, Injectable, Logger, OnApplicationShutdown, OnModuleInit } from '@nestjs/common';
import Handlebars from 'handlebars';
import { mailConfig } from '../config';
import type { MailConfig } from '../config';
import {
  brandColor,
  DEFAULT_BRAND,
  FONT_STACK,
  LAYOUT_PALETTE,
  textColorOn,
} from './brand.constants';
import { CompiledTemplates } from './compiled-templates';
import { MailContentRefused } from './mail.errors';
import {
  assertExtraHeaders,
  assertHeaderValue,
  assertHttpUrl,
  assertMailbox,
  singleLine,
} from './mail-guards';
import { MAIL_TEMPLATES, MailBrand, MailTemplateData, MailTemplateName } from './mail-templates';
import { MAIL_TRANSPORT } from './mail-transport';
import type { DeliveredMail, MailTransport, OutgoingMail } from './mail-transport';

export interface RenderInput<T extends MailTemplateName> {
  /** The club whose name, logo, colours and reply-to the message carries. */
  tenant: MailBrand;
  data: MailTemplateData[T];
  /**
   * Marks a message that is not going to its family (a test send, a `redirect_to` blast): a
   * visible TEST banner with this explanation, and `[TEST]` before the subject.
   */
  banner?: string;
}

export interface RenderedMail {
  subject: string;
  html: string;
  text: string;
}

export interface MailToSend {
  to: string;
  subject: string;
  html: string;
  text: string;
  /** Display name of the sender; the address is always MAIL_FROM. */
  fromName: string;
  replyTo?: string | null;
  /** Extra headers (e.g. a blast id); the message's own headers cannot be overridden. */
  headers?: Record<string, string>;
}

/**
 * The only sender of mail. `render` is what a message says (a template inside the club's
 * branded layout, every value escaped in HTML and verbatim in text); `send` hands a checked
 * message to the transport and lets its failure surface: the caller records it.
 */
@Injectable()
export class BrandedMailer implements OnModuleInit, OnApplicationShutdown {
  private readonly logger = new Logger(BrandedMailer.name);

  constructor(
    private readonly templates: CompiledTemplates,
    @Inject(MAIL_TRANSPORT) private readonly transport: MailTransport,
    @Inject(mailConfig.KEY) private readonly config: MailConfig,
  ) {}

  onModuleInit(): void {
    this.logger.log(`Mail goes out through ${this.transport.destination}`);
  }

  async onApplicationShutdown(): Promise<void> {
    await this.transport.close();
  }

  render<T extends MailTemplateName>(template: T, input: RenderInput<T>): RenderedMail {
    const { tenant, banner } = input;
    const composed = MAIL_TEMPLATES[template](input.data, tenant);
    const primary = brandColor(tenant.brandPrimaryColor, DEFAULT_BRAND.primaryColor);
    const accent = brandColor(tenant.brandAccentColor, DEFAULT_BRAND.accentColor);
    const style = {
      ...LAYOUT_PALETTE,
      primary,
      onPrimary: textColorOn(primary),
      accent,
      onAccent: textColorOn(accent),
      font: FONT_STACK,
    };
    const subject = singleLine(`${banner === undefined ? '' : '[TEST] '}${composed.subject}`);
    const layout = {
      subject,
      preheader: composed.preheader,
      clubName: tenant.name,
      logoUrl: tenant.logoUrl ? assertHttpUrl('tenant.logoUrl', tenant.logoUrl) : null,
      replyTo: tenant.replyTo || null,
      banner: banner === undefined ? null : singleLine(banner) || 'This is a test message.',
      style,
    };
    const view = { ...composed.view, style };
    const html = this.templates.wrap('html', {
      ...layout,
      content: new Handlebars.SafeString(this.templates.content(template, 'html', view)),
    });
    const text = this.templates.wrap('text', {
      ...layout,
      content: this.templates.content(template, 'text', view).trim(),
    });
    return { subject, html, text: tidyText(text) };
  }

  /** How many sends may be on their way at once without queueing behind each other. */
  get concurrency(): number {
    return this.transport.concurrency;
  }

  async send(mail: MailToSend): Promise<DeliveredMail> {
    const outgoing: OutgoingMail = {
      from: { name: assertHeaderValue('fromName', mail.fromName), address: this.config.from },
      to: assertMailbox('to', mail.to),
      replyTo: mail.replyTo ? assertMailbox('replyTo', mail.replyTo) : undefined,
      subject: assertHeaderValue('subject', mail.subject),
      html: mail.html,
      text: mail.text,
      headers: assertExtraHeaders(mail.headers ?? {}),
    };
    if (!mail.html.trim()) throw new MailContentRefused('html', 'is empty');
    if (!mail.text.trim()) throw new MailContentRefused('text', 'is empty');
    return this.transport.deliver(outgoing);
  }
}

/** Templates leave blank runs where optional parts were skipped: at most one empty line. */
function tidyText(text: string): string {
  return `${text
    .split('\n')
    .map((line) => line.trimEnd())
    .join('\n')
    .replace(/\n{3,}/g, '\n\n')
    .trim()}\n`;
}
