import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { brandColor, DEFAULT_BRAND, LAYOUT_PALETTE, textColorOn } from './brand.constants';

const COLOUR_LITERAL = /#[0-9a-f]{3,8}\b|\b(rgba?|hsla?)\(/i;

function filesUnder(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) =>
    entry.isDirectory() ? filesUnder(path.join(dir, entry.name)) : [path.join(dir, entry.name)],
  );
}

describe('brand constants', () => {
  it('no template and no mail code names a colour: every colour comes from the brand constants', () => {
    const offenders = filesUnder(__dirname)
      .filter((file) => /\.(hbs|ts)$/.test(file) && !file.endsWith('.spec.ts'))
      .filter((file) => path.basename(file) !== 'brand.constants.ts')
      .filter((file) => COLOUR_LITERAL.test(readFileSync(file, 'utf8')));
    expect(offenders).toEqual([]);
  });

  it('a brand colour must be #rrggbb, or the default stands in', () => {
    expect(brandColor('#0B5394', DEFAULT_BRAND.primaryColor)).toBe('#0b5394');
    for (const bad of ['red', '#fff', 'url(x)', '#0b5394; color: red', '', null, undefined]) {
      expect(brandColor(bad, DEFAULT_BRAND.primaryColor)).toBe(DEFAULT_BRAND.primaryColor);
    }
  });

  it('text on a brand colour stays readable: white on dark, dark on light', () => {
    expect(textColorOn(DEFAULT_BRAND.primaryColor)).toBe(LAYOUT_PALETTE.onDark);
    expect(textColorOn(DEFAULT_BRAND.accentColor)).toBe(LAYOUT_PALETTE.onDark);
    expect(textColorOn('#f1c232')).toBe(LAYOUT_PALETTE.onLight);
    expect(textColorOn('#ffffff')).toBe(LAYOUT_PALETTE.onLight);
  });
});
