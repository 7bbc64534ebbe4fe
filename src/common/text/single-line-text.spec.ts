import { isSingleLineText, trimSpaces } from './single-line-text';

describe('isSingleLineText', () => {
  it.each([
    'Club\r\nBcc: all@example.org',
    'a\nb',
    'a\rb',
    '\t=1+2',
    'bell\u0007',
    'del\u007f',
    'next line\u0085',
    'line\u2028separator',
    'paragraph\u2029separator',
    '"a\r\nb"@example.org',
  ])('refuses %j', (text) => {
    expect(isSingleLineText(text)).toBe(false);
  });

  it.each(['Riverside Hoops', 'Zoë "Z" Müller-Park', '=1+2', 'O’Brien & Sons', '李小龙', ''])(
    'accepts %j',
    (text) => {
      expect(isSingleLineText(text)).toBe(true);
    },
  );
});

describe('trimSpaces', () => {
  it('removes spaces at both ends, including no-break spaces, and keeps tabs and line breaks', () => {
    expect(trimSpaces('  Ann Lee\u00a0 ')).toBe('Ann Lee');
    expect(trimSpaces('\t=1+2')).toBe('\t=1+2');
    expect(trimSpaces('Ann\n')).toBe('Ann\n');
  });
});
