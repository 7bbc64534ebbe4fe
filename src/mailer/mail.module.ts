import { Global, Module } from '@nestjs/common';
import { appConfig, AppConfig, mailConfig, MailConfig } from '../config';
import { BrandedMailer } from './branded-mailer.service';
import { CompiledTemplates } from './compiled-templates';
import { MAIL_TRANSPORT } from './mail-transport';
import { createMailTransport } from './transports/create-mail-transport';

/** The one way mail leaves Courtside: `BrandedMailer`, over the transport the config picks. */
@Global()
@Module({
  providers: [
    { provide: CompiledTemplates, useFactory: () => CompiledTemplates.load() },
    {
      provide: MAIL_TRANSPORT,
      inject: [mailConfig.KEY, appConfig.KEY],
      useFactory: (mail: MailConfig, app: AppConfig) => createMailTransport(mail, app),
    },
    BrandedMailer,
  ],
  exports: [BrandedMailer],
})
export class MailModule {}
