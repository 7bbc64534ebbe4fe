import type { IncomingMessage, ServerResponse } from 'node:http';
import type { CheckoutSession } from '../objects/api-objects';
import type { EmulatorState, LineItemRef } from '../objects/emulator-state';
import { formatMoney } from '../objects/money';
import type { PaymentFlow } from '../payments/payment-flow';
import type { PaymentMethodKind } from '../payments/payment-objects';
import { isTestCardToken, TEST_CARDS, TEST_CARD_TOKENS } from '../payments/test-cards';
import { totalOf } from '../resources/line-items';
import { StripeApiError } from '../stripe-api-error';
import { readBody, redirect, sendHtml } from '../server/http-io';
import {
  bankDebitProcessingPage,
  checkoutPage,
  type CardChoice,
  inactiveLinkPage,
  messagePage,
  paymentReceivedPage,
} from './page-templates';

export interface HostedPagesDeps {
  state: EmulatorState;
  flow: PaymentFlow;
}

type PageAction = (id: string, req: IncomingMessage, res: ServerResponse) => Promise<void> | void;

const DEFAULT_INACTIVE_MESSAGE = 'This link is no longer active';

/** Stripe's test cards, visa first (the default), each saying what it does. */
const CARD_CHOICES: CardChoice[] = TEST_CARD_TOKENS.map((token) => {
  const card = TEST_CARDS[token];
  const outcome = card.decline
    ? card.decline.asksForAuthentication
      ? 'asks for 3-D Secure here, declines off-session'
      : `declines: ${card.decline.decline_code}`
    : 'succeeds';
  return { value: token, label: `Visa ···· ${card.last4} (${outcome})` };
});

/**
 * The pages a customer (or a browser test) clicks through: a payment link's page at `/b/<id>`,
 * a Checkout Session's page at `/c/pay/<id>`, and the forms they post. Paying behaves like
 * `StripeEmulator.completeSession`; a bank debit can then be settled by hand.
 */
export class HostedPages {
  private readonly routes: Array<{ method: string; pattern: RegExp; action: PageAction }> = [
    { method: 'GET', pattern: /^\/b\/([^/]+)$/, action: (id, _req, res) => this.linkPage(id, res) },
    {
      method: 'POST',
      pattern: /^\/b\/([^/]+)\/pay$/,
      action: (id, req, res) => this.payLink(id, req, res),
    },
    {
      method: 'GET',
      pattern: /^\/c\/pay\/([^/]+)$/,
      action: (id, _req, res) => this.sessionPage(id, res),
    },
    {
      method: 'POST',
      pattern: /^\/c\/pay\/([^/]+)\/pay$/,
      action: (id, req, res) => this.paySession(id, req, res),
    },
    {
      method: 'POST',
      pattern: /^\/c\/pay\/([^/]+)\/settle$/,
      action: (id, req, res) => this.settle(id, req, res),
    },
  ];

  constructor(private readonly deps: HostedPagesDeps) {}

  /** False when the path is not a hosted page. */
  async handle(req: IncomingMessage, res: ServerResponse, url: URL): Promise<boolean> {
    for (const { method, pattern, action } of this.routes) {
      const match = pattern.exec(url.pathname);
      if (!match || req.method !== method) continue;
      try {
        await action(match[1], req, res);
      } catch (error) {
        if (!(error instanceof StripeApiError)) throw error;
        const status = error.status === 404 ? 404 : 409;
        sendHtml(
          res,
          status,
          messagePage(status === 404 ? 'Not found' : 'Cannot continue', error.message),
        );
      }
      return true;
    }
    return false;
  }

  private linkPage(id: string, res: ServerResponse): void {
    const { state } = this.deps;
    const { link, lineItems } = state.paymentLink(id);
    if (!link.active) {
      sendHtml(res, 200, inactiveLinkPage(link.inactive_message ?? DEFAULT_INACTIVE_MESSAGE));
      return;
    }
    const types = link.payment_method_types;
    sendHtml(
      res,
      200,
      this.checkout(
        lineItems,
        link.currency,
        `${id}/pay`,
        !types || types.includes('us_bank_account'),
        null,
      ),
    );
  }

  private async payLink(id: string, req: IncomingMessage, res: ServerResponse): Promise<void> {
    const form = new URLSearchParams(await readBody(req));
    const { link } = this.deps.state.paymentLink(id);
    if (!link.active) {
      sendHtml(res, 409, inactiveLinkPage(link.inactive_message ?? DEFAULT_INACTIVE_MESSAGE));
      return;
    }
    const { session } = this.deps.flow.openSession(id);
    this.completeAndRedirect(session.id, form, res);
  }

  private sessionPage(id: string, res: ServerResponse): void {
    const { state, flow } = this.deps;
    const record = state.checkoutSession(id);
    flow.expireIfDue(record);
    const { session } = record;
    const amount = formatMoney(session.amount_total, session.currency);
    if (session.status === 'open') {
      const html = this.checkout(
        record.lineItems,
        session.currency,
        `${id}/pay`,
        session.payment_method_types.includes('us_bank_account'),
        session.customer_email,
      );
      sendHtml(res, 200, html);
    } else if (session.status === 'expired') {
      sendHtml(res, 200, messagePage('Session expired', 'This checkout session has expired.'));
    } else if (session.payment_status === 'paid') {
      const page = paymentReceivedPage({
        amount,
        sessionId: id,
        customMessage: this.customMessage(session),
        continueUrl: this.redirectUrl(session),
      });
      sendHtml(res, 200, page);
    } else if (state.paymentIntents.get(session.payment_intent ?? '')?.status === 'processing') {
      const page = bankDebitProcessingPage({
        amount,
        sessionId: id,
        settleAction: `${id}/settle`,
        continueUrl: this.redirectUrl(session),
      });
      sendHtml(res, 200, page);
    } else {
      sendHtml(
        res,
        200,
        messagePage('Payment failed', 'The bank debit failed. No money was taken.'),
      );
    }
  }

  private async paySession(id: string, req: IncomingMessage, res: ServerResponse): Promise<void> {
    const form = new URLSearchParams(await readBody(req));
    this.completeAndRedirect(id, form, res);
  }

  private async settle(id: string, req: IncomingMessage, res: ServerResponse): Promise<void> {
    const outcome = new URLSearchParams(await readBody(req)).get('outcome');
    if (outcome !== 'succeeded' && outcome !== 'failed') {
      sendHtml(res, 400, messagePage('Cannot continue', 'Choose succeeded or failed.'));
      return;
    }
    this.deps.flow.settleBankDebit(id, outcome);
    redirect(res, this.sessionPageUrl(id));
  }

  /**
   * A paid card goes to the merchant's redirect, as on Stripe; a pending debit to its page here.
   * A declined card pays nothing: the session's page again, with the decline above the form.
   */
  private completeAndRedirect(sessionId: string, form: URLSearchParams, res: ServerResponse): void {
    const method: PaymentMethodKind = form.get('method') === 'bank_debit' ? 'bank_debit' : 'card';
    const email = form.get('email')?.trim() || undefined;
    const card = form.get('card') || 'pm_card_visa';
    if (!isTestCardToken(card)) {
      sendHtml(res, 400, messagePage('Cannot continue', 'Choose one of the test cards.'));
      return;
    }
    let session: CheckoutSession;
    try {
      session = this.deps.flow.completeSession(sessionId, { method, email, card });
    } catch (error) {
      if (!(error instanceof StripeApiError) || error.type !== 'card_error') throw error;
      const record = this.deps.state.checkoutSession(sessionId);
      const html = this.checkout(
        record.lineItems,
        record.session.currency,
        `/c/pay/${sessionId}/pay`,
        record.session.payment_method_types.includes('us_bank_account'),
        email ?? record.session.customer_email,
        { card, error: error.message },
      );
      sendHtml(res, 402, html);
      return;
    }
    const target = session.payment_status === 'paid' ? this.redirectUrl(session) : null;
    redirect(res, target ?? this.sessionPageUrl(session.id));
  }

  private checkout(
    lineItems: LineItemRef[],
    currency: string,
    payAction: string,
    allowBankDebit: boolean,
    email: string | null,
    attempt: { card?: string; error?: string } = {},
  ): string {
    const { state } = this.deps;
    const lines = lineItems.map((item) => {
      const price = state.price(item.price);
      return {
        name: state.product(price.product).name,
        quantity: item.quantity,
        amount: formatMoney(price.unit_amount * item.quantity, price.currency),
      };
    });
    return checkoutPage({
      title: lines.length === 1 ? lines[0].name : `${lines.length} items`,
      lines,
      total: formatMoney(totalOf(state, lineItems), currency),
      payAction,
      allowBankDebit,
      email,
      cards: CARD_CHOICES,
      ...attempt,
    });
  }

  private redirectUrl(session: CheckoutSession): string | null {
    const link = session.payment_link
      ? this.deps.state.paymentLinks.get(session.payment_link)
      : undefined;
    const template = link
      ? link.link.after_completion.type === 'redirect'
        ? link.link.after_completion.redirect.url
        : null
      : session.success_url;
    return (
      template?.replace(/\{CHECKOUT_SESSION_ID\}|%7BCHECKOUT_SESSION_ID%7D/gi, session.id) ?? null
    );
  }

  private customMessage(session: CheckoutSession): string | null {
    const link = session.payment_link
      ? this.deps.state.paymentLinks.get(session.payment_link)
      : undefined;
    const after = link?.link.after_completion;
    return after?.type === 'hosted_confirmation' ? after.hosted_confirmation.custom_message : null;
  }

  private sessionPageUrl(sessionId: string): string {
    return `${this.deps.state.publicUrl}/c/pay/${sessionId}`;
  }
}
