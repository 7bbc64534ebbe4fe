// Control characters (C0 with tab, CR and LF; DEL; C1) and the Unicode line and paragraph
// separators: none belongs in a name, an address or a label that ends up in a mail header or a page.
const CONTROL_OR_LINE_BREAK = /[\p{Cc}\u2028\u2029]/u;
const EDGE_SPACES = /^\p{Zs}+|\p{Zs}+$/gu;

/** True when the text is one line of printable characters. */
export function isSingleLineText(text: string): boolean {
  return !CONTROL_OR_LINE_BREAK.test(text);
}

/** Trims spaces only: a tab or line break at either end is refused with the rest, not dropped unseen. */
export function trimSpaces(text: string): string {
  return text.replace(EDGE_SPACES, '');
}
