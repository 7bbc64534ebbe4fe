/**
 * Every colour a Courtside email may use. The club's two brand colours come from its tenant
 * row; these are the fallbacks for a missing or malformed value (the same as the column
 * defaults) and the neutral palette of the layout. No template or service names a colour.
 */
export const DEFAULT_BRAND = {
  primaryColor: '#1d3557',
  accentColor: '#e63946',
} as const;

export const LAYOUT_PALETTE = {
  pageBackground: '#f4f5f7',
  cardBackground: '#ffffff',
  text: '#1f2933',
  mutedText: '#616e7c',
  rule: '#e4e7eb',
  /** Text on a dark brand colour, and on a light one. */
  onDark: '#ffffff',
  onLight: '#1f2933',
  testBanner: '#fff3bf',
  testBannerText: '#5c3c00',
} as const;

export const FONT_STACK = '-apple-system, Segoe UI, Roboto, Helvetica, Arial, sans-serif';

const HEX_COLOR = /^#[0-9a-fA-F]{6}$/;

/** A brand colour goes into a style attribute: only `#rrggbb` is let through. */
export function brandColor(value: string | null | undefined, fallback: string): string {
  return value && HEX_COLOR.test(value) ? value.toLowerCase() : fallback;
}

/** White or dark text, whichever contrasts more with the brand colour (WCAG contrast ratio). */
export function textColorOn(background: string): string {
  const contrast = (a: string, b: string) => {
    const [high, low] = [luminance(a), luminance(b)].sort((x, y) => y - x);
    return (high + 0.05) / (low + 0.05);
  };
  return contrast(background, LAYOUT_PALETTE.onDark) >= contrast(background, LAYOUT_PALETTE.onLight)
    ? LAYOUT_PALETTE.onDark
    : LAYOUT_PALETTE.onLight;
}

function luminance(hex: string): number {
  const [r, g, b] = [1, 3, 5].map((at) => {
    const channel = Number.parseInt(hex.slice(at, at + 2), 16) / 255;
    return channel <= 0.03928 ? channel / 12.92 : ((channel + 0.055) / 1.055) ** 2.4;
  });
  return 0.2126 * r + 0.7152 * g + 0.0722 * b;
}
