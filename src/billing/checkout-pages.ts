import Handlebars from 'handlebars';
import { LAYOUT_PALETTE } from '../mailer/brand.constants';

const escape = (value: string) => Handlebars.Utils.escapeExpression(value);

/**
 * The plain pages a parent may land on from a link: what happened and what to do, with the
 * club's name when the link is the club's own, and nothing about anyone else.
 */
export function checkoutPage(page: { title: string; message: string; clubName?: string }): string {
  const club = page.clubName
    ? `<p style="color:${LAYOUT_PALETTE.mutedText};margin:0 0 1.5rem">${escape(page.clubName)}</p>`
    : '';
  return `<!doctype html><html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width,initial-scale=1">
<title>${escape(page.title)}</title></head>
<body style="font-family:system-ui,sans-serif;max-width:32rem;margin:4rem auto;padding:0 1rem;text-align:center">
${club}<h1>${escape(page.title)}</h1><p>${escape(page.message)}</p></body></html>`;
}
