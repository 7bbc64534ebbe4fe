import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import Handlebars from 'handlebars';
import { MAIL_TEMPLATE_NAMES, MailTemplateName } from './mail-templates';

/** Next to the compiled mailer: `npm run build` copies src/mailer/templates into dist. */
export const MAIL_TEMPLATES_DIR = path.join(__dirname, 'templates');

export type MailFormat = 'html' | 'text';

type Compiled = Record<MailFormat, HandlebarsTemplateDelegate>;

const FILE_OF: Record<MailFormat, (name: string) => string> = {
  html: (name) => `${name}.hbs`,
  text: (name) => `${name}.text.hbs`,
};

/**
 * Every template in both formats, read and compiled once when the app starts, so a missing
 * file or a syntax error stops start-up instead of the first blast. HTML escapes every
 * `{{value}}`; the text part is compiled without escaping, so names read as typed. Strict
 * mode makes a misspelt field an error, never a silent blank.
 */
export class CompiledTemplates {
  private constructor(
    private readonly layout: Compiled,
    private readonly contents: Record<MailTemplateName, Compiled>,
  ) {}

  static load(dir: string = MAIL_TEMPLATES_DIR): CompiledTemplates {
    const handlebars = Handlebars.create();
    const compileBoth = (name: string): Compiled => ({
      html: compileFile(handlebars, dir, FILE_OF.html(name), false),
      text: compileFile(handlebars, dir, FILE_OF.text(name), true),
    });
    const contents = Object.fromEntries(
      MAIL_TEMPLATE_NAMES.map((name) => [name, compileBoth(name)]),
    ) as Record<MailTemplateName, Compiled>;
    return new CompiledTemplates(compileBoth('layout'), contents);
  }

  content(name: MailTemplateName, format: MailFormat, view: object): string {
    return this.contents[name][format](view);
  }

  wrap(format: MailFormat, view: object): string {
    return this.layout[format](view);
  }
}

function compileFile(
  handlebars: typeof Handlebars,
  dir: string,
  file: string,
  plainText: boolean,
): HandlebarsTemplateDelegate {
  const location = path.join(dir, file);
  if (!existsSync(location)) {
    throw new Error(
      `Mail template ${location} is missing: templates live in src/mailer/templates and ` +
        '`npm run build` copies them next to the compiled mailer',
    );
  }
  const source = readFileSync(location, 'utf8');
  const options = { strict: true, knownHelpersOnly: true, noEscape: plainText };
  try {
    // precompile() runs the whole compiler now, so a syntax error or an unknown helper stops
    // start-up; compile() then builds the function once, on first render, and keeps it.
    handlebars.precompile(source, options);
    return handlebars.compile(source, options);
  } catch (error) {
    throw new Error(`Mail template ${location} does not compile: ${(error as Error).message}`);
  }
}
