import { html, trusted, type Html } from './html';

/** What the checkout page shows for one line item; amounts already formatted. */
export interface PageLine {
  name: string;
  quantity: number;
  amount: string;
}

const STYLE = `
  body { font-family: system-ui, sans-serif; background: #f6f9fc; color: #1a1f36; margin: 0; }
  main { max-width: 28rem; margin: 3rem auto; background: #fff; padding: 2rem;
         border-radius: 8px; box-shadow: 0 2px 8px rgba(0,0,0,.08); }
  .banner { background: #ffde92; color: #5c3c00; text-align: center; padding: .4rem; font-size: .85rem; }
  .lines { list-style: none; padding: 0; }
  .lines li { display: flex; justify-content: space-between; padding: .3rem 0; }
  .total { font-size: 1.6rem; font-weight: 600; margin: 1rem 0; }
  label { display: block; margin: 1rem 0 .3rem; font-size: .9rem; }
  input, select { width: 100%; padding: .5rem; box-sizing: border-box; }
  .error { color: #df1b41; font-size: .9rem; }
  button { display: block; width: 100%; margin-top: .8rem; padding: .7rem; font-size: 1rem;
           border: 0; border-radius: 6px; background: #635bff; color: #fff; cursor: pointer; }
  button.secondary { background: #e3e8ee; color: #1a1f36; }
  .muted { color: #697386; font-size: .9rem; }
`;

function layout(title: string, body: Html): string {
  return html`<!doctype html>
    <html lang="en">
      <head>
        <meta charset="utf-8" />
        <meta name="viewport" content="width=device-width, initial-scale=1" />
        <meta name="robots" content="noindex" />
        <title>${title}</title>
        <style>
          ${trusted(STYLE)}
        </style>
      </head>
      <body>
        <div class="banner">Test mode · Stripe emulator · no real money moves</div>
        <main>${body}</main>
      </body>
    </html> `.text;
}

const lineItem = (line: PageLine) =>
  html`<li>
    <span>${line.name}${line.quantity > 1 ? ` × ${line.quantity}` : ''}</span>
    <span>${line.amount}</span>
  </li>`;

const bankDebitButton = html`<button
  type="submit"
  name="method"
  value="bank_debit"
  class="secondary"
>
  Pay by bank debit
</button>`;

/** Back to the merchant's page, when the payment has one. */
const continueLink = (url: string | null) =>
  url ? html`<p><a href="${url}">Continue</a></p>` : '';

/** A test card the page offers: the token posted as `card`, and what a person reads. */
export interface CardChoice {
  value: string;
  label: string;
}

const cardOption = (card: CardChoice, selected: boolean) =>
  html`<option value="${card.value}" ${selected ? trusted('selected') : ''}>${card.label}</option>`;

export function checkoutPage(options: {
  title: string;
  lines: PageLine[];
  total: string;
  /** Form target for paying, relative (`plink_123/pay`) or a path (`/c/pay/cs_…/pay`). */
  payAction: string;
  allowBankDebit: boolean;
  email: string | null;
  cards: CardChoice[];
  card?: string;
  /** Why the last card was refused, shown above the form as Stripe's page shows a decline. */
  error?: string | null;
}): string {
  const { title, lines, total, payAction, allowBankDebit, email, cards } = options;
  const chosen = options.card ?? cards[0]?.value;
  return layout(
    title,
    html`<h1>${title}</h1>
      <ul class="lines">
        ${lines.map(lineItem)}
      </ul>
      <p class="total" data-testid="amount">${total}</p>
      ${
        options.error
          ? html`<p class="error" role="alert" data-testid="card-error">${options.error}</p>`
          : ''
      }
      <form method="post" action="${payAction}">
        <label for="email">Email</label>
        <input
          id="email"
          name="email"
          type="email"
          value="${email ?? ''}"
          placeholder="you@example.com"
        />
        <label for="card">Test card</label>
        <select id="card" name="card">
          ${cards.map((card) => cardOption(card, card.value === chosen))}
        </select>
        <button type="submit" name="method" value="card">Pay</button>
        ${allowBankDebit ? bankDebitButton : ''}
      </form>`,
  );
}

export function messagePage(title: string, message: string, extra?: Html): string {
  return layout(
    title,
    html`<h1>${title}</h1>
      <p>${message}</p>
      ${extra ?? ''}`,
  );
}

export function inactiveLinkPage(message: string): string {
  return messagePage('Payment link unavailable', message);
}

export function paymentReceivedPage(options: {
  amount: string;
  sessionId: string;
  customMessage: string | null;
  continueUrl: string | null;
}): string {
  return messagePage(
    'Payment received',
    options.customMessage ?? `Thank you: ${options.amount} was paid.`,
    html`<p class="muted">Checkout Session ${options.sessionId}</p>
      ${continueLink(options.continueUrl)}`,
  );
}

export function bankDebitProcessingPage(options: {
  amount: string;
  sessionId: string;
  /** Relative form target for settling, e.g. `cs_test_123/settle`. */
  settleAction: string;
  continueUrl: string | null;
}): string {
  return messagePage(
    'Payment processing',
    `Your bank debit of ${options.amount} is processing. It settles in a few days.`,
    html`<p class="muted">Checkout Session ${options.sessionId}. As the bank, settle it:</p>
      <form method="post" action="${options.settleAction}">
        <button type="submit" name="outcome" value="succeeded">Settle: succeeded</button>
        <button type="submit" name="outcome" value="failed" class="secondary">
          Settle: failed
        </button>
      </form>
      ${continueLink(options.continueUrl)}`,
  );
}
