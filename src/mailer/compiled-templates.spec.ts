import { readdirSync } from 'node:fs';
import { CompiledTemplates, MAIL_TEMPLATES_DIR } from './compiled-templates';
import { MAIL_TEMPLATE_NAMES } from './mail-templates';

describe('CompiledTemplates', () => {
  it('every template and the layout have an HTML file and a plain-text counterpart, and nothing else lies there', () => {
    const expected = ['layout', ...MAIL_TEMPLATE_NAMES].flatMap((name) => [
      `${name}.hbs`,
      `${name}.text.hbs`,
    ]);
    expect(readdirSync(MAIL_TEMPLATES_DIR).sort()).toEqual(expected.sort());
    expect(() => CompiledTemplates.load()).not.toThrow();
  });

  it('a missing template stops start-up with a message naming the file and the build step', () => {
    expect(() => CompiledTemplates.load('/nonexistent/mail/templates')).toThrow(
      /\/nonexistent\/mail\/templates\/\w+\.hbs is missing: .*npm run build/,
    );
  });
});
