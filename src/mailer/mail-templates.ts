import type { Tenant } from '../club/entities/tenant.entity';
import { MailContentRefused } from './mail.errors';
import { assertHttpUrl } from './mail-guards';
import { formatMoney } from '../common/money/format-money';

/** What the layout needs of a club: its tenant row (or any object with these fields). */
export type MailBrand = Pick<
  Tenant,
  | 'name'
  | 'fromName'
  | 'replyTo'
  | 'logoUrl'
  | 'brandPrimaryColor'
  | 'brandAccentColor'
  | 'timezone'
>;

/** One row of a family's statement: one player's unpaid item and its persistent pay link. */
export interface StatementItem {
  playerName: string;
  itemName: string;
  amountCents: number;
  currency: string;
  payUrl: string;
}

/** A family's outstanding balance: every unpaid item of every player of one parent. */
export interface StatementData {
  parentName: string;
  items: StatementItem[];
  totalCents: number;
  currency: string;
  /** Set on a reminder: the line above the statement that says the items are past due. */
  reminder?: string;
}

/** A payment received for one player's item. */
export interface ReceiptData {
  parentName: string;
  playerName: string;
  itemName: string;
  amountCents: number;
  currency: string;
  paidAt: Date;
}

/** The link a family follows to pay a newly signed player's first month. */
export interface FirstPaymentData {
  parentName: string;
  playerName: string;
  teamName: string | null;
  amountCents: number;
  currency: string;
  payUrl: string;
}

/** The saved card was refused for a month's dues: why, in plain words, and how to pay. */
export interface AutopayFailedData {
  parentName: string;
  /** The month billed, `YYYY-MM`. */
  month: string;
  /** `Visa ending 4242`, or null when the card is gone. */
  card: string | null;
  /** Stripe's code (`card_declined`, `insufficient_funds`, `expired_card`, `authentication_required`…). */
  reason: string;
  items: StatementItem[];
}

export interface MailTemplateData {
  statement: StatementData;
  receipt: ReceiptData;
  first_payment: FirstPaymentData;
  autopay_failed: AutopayFailedData;
}
export type MailTemplateName = keyof MailTemplateData;
export const MAIL_TEMPLATE_NAMES = [
  'statement',
  'receipt',
  'first_payment',
  'autopay_failed',
] as const satisfies readonly MailTemplateName[];

/** A template's words for one message, before the layout: every value already a display string. */
export interface ComposedMessage {
  subject: string;
  /** The line mail clients show after the subject in the inbox. */
  preheader: string;
  view: Record<string, unknown>;
}

type Composer<D> = (data: D, club: MailBrand) => ComposedMessage;

const statement: Composer<StatementData> = (data, club) => {
  if (data.items.length === 0) throw new MailContentRefused('items', 'is empty: nothing is owed');
  const currency = data.currency.toLowerCase();
  data.items.forEach((item, index) => {
    if (item.currency.toLowerCase() !== currency) {
      throw new MailContentRefused(
        `items[${index}].currency`,
        `is ${item.currency}, not the statement's ${data.currency}`,
      );
    }
  });
  const sum = data.items.reduce((total, item) => total + item.amountCents, 0);
  if (sum !== data.totalCents) {
    throw new MailContentRefused('totalCents', `is ${data.totalCents}, the items add up to ${sum}`);
  }
  const total = formatMoney(data.totalCents, currency);
  return {
    subject: data.reminder
      ? `${club.name}: reminder, ${total} past due`
      : `${club.name}: your statement, ${total} due`,
    preheader: `${total} outstanding for ${countOf(data.items.length, 'item')}. Pay each item online.`,
    view: {
      reminder: data.reminder ?? null,
      parentName: data.parentName,
      clubName: club.name,
      rows: data.items.map((item, index) => ({
        playerName: item.playerName,
        itemName: item.itemName,
        amount: formatMoney(item.amountCents, item.currency),
        payUrl: assertHttpUrl(`items[${index}].payUrl`, item.payUrl),
      })),
      total,
    },
  };
};

const receipt: Composer<ReceiptData> = (data, club) => {
  const amount = formatMoney(data.amountCents, data.currency);
  return {
    subject: `${club.name}: payment received for ${data.playerName}, ${amount}`,
    preheader: `Thank you: ${amount} for ${data.itemName} is paid.`,
    view: {
      parentName: data.parentName,
      clubName: club.name,
      playerName: data.playerName,
      itemName: data.itemName,
      amount,
      paidOn: formatDate(data.paidAt, club.timezone),
    },
  };
};

const firstPayment: Composer<FirstPaymentData> = (data, club) => {
  const amount = formatMoney(data.amountCents, data.currency);
  return {
    subject: `${club.name}: pay the first month for ${data.playerName}`,
    preheader: `${data.playerName}'s first month is ${amount}. Pay online in a minute.`,
    view: {
      parentName: data.parentName,
      clubName: club.name,
      playerName: data.playerName,
      teamName: data.teamName,
      amount,
      payUrl: assertHttpUrl('payUrl', data.payUrl),
    },
  };
};

/** What a declined off-session charge means for a parent, without Stripe's jargon. */
const DECLINE_WORDS: Record<string, string> = {
  insufficient_funds: 'the bank said there were not enough funds.',
  expired_card: 'the card has expired.',
  authentication_required: 'your bank wants you to confirm this payment yourself.',
  payment_method_removed: 'the card is no longer saved with us.',
  payment_method_unexpected_state: 'the card is no longer saved with us.',
  incorrect_cvc: 'the bank refused the card.',
};

const autopayFailed: Composer<AutopayFailedData> = (data, club) => {
  if (data.items.length === 0) throw new MailContentRefused('items', 'is empty: nothing is owed');
  const reason = DECLINE_WORDS[data.reason] ?? 'the bank declined the card.';
  const month = new Intl.DateTimeFormat('en-US', {
    month: 'long',
    year: 'numeric',
    timeZone: 'UTC',
  }).format(new Date(`${data.month}-01T00:00:00Z`));
  return {
    subject: `${club.name}: your card was not charged — please pay the ${month} dues`,
    preheader: `We could not charge your saved card: ${reason}`,
    view: {
      parentName: data.parentName,
      clubName: club.name,
      month,
      card: data.card,
      reason: reason.charAt(0).toUpperCase() + reason.slice(1),
      rows: data.items.map((item, index) => ({
        playerName: item.playerName,
        itemName: item.itemName,
        amount: formatMoney(item.amountCents, item.currency),
        payUrl: assertHttpUrl(`items[${index}].payUrl`, item.payUrl),
      })),
    },
  };
};

export const MAIL_TEMPLATES: { [name in MailTemplateName]: Composer<MailTemplateData[name]> } = {
  statement,
  receipt,
  first_payment: firstPayment,
  autopay_failed: autopayFailed,
};

function countOf(count: number, noun: string): string {
  return `${count} ${noun}${count === 1 ? '' : 's'}`;
}

/** A date as the club reads it: in the club's own time zone. */
/** One formatter per club timezone: making one costs far more than formatting (every receipt). */
const dateFormats = new Map<string, Intl.DateTimeFormat>();

function formatDate(at: Date, timeZone: string): string {
  let format = dateFormats.get(timeZone);
  if (!format) {
    format = new Intl.DateTimeFormat('en-US', { dateStyle: 'long', timeZone });
    dateFormats.set(timeZone, format);
  }
  return format.format(at);
}
