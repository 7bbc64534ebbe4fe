import { Injectable } from '@nestjs/common';
import { EntityManager } from 'typeorm';
import { FirstMonthRepository } from '../billing/repositories/first-month.repository';
import { StatementsRepository } from '../billing/repositories/statements.repository';
import { DomainException } from '../common/errors/domain.exception';
import { TournamentsRepository } from '../tournament/repositories/tournaments.repository';
import type { MailBrand } from '../mailer/mail-templates';
import type { BrandedMailer, RenderedMail } from '../mailer/branded-mailer.service';

/** Why a family found by a query gets no message. */
export type SkipReason =
  | 'no_email'
  | 'recently_sent'
  | 'mixed_currencies'
  /** An admin stopped the blast before this message went out. */
  | 'cancelled'
  /** Committed, but the tournament's checkout links have not made an unpaid order and link yet. */
  | 'no_tournament_order';

/** One family a query found, and what its message would say. */
export interface BlastFamily {
  parentId: number;
  parentName: string;
  email: string | null;
  /** Changes whenever the message's facts do: "was this very message already sent?" */
  digest: string;
  /** Set when the query itself rules the family out (e.g. no email on file). */
  skip?: SkipReason;
  render(mailer: BrandedMailer, club: MailBrand, banner?: string): RenderedMail;
}

export interface BlastQueryParam {
  name: string;
  type: 'integer';
  required: boolean;
  description: string;
}

/** What a query needs from configuration to write its links. */
export interface BlastContext {
  publicBaseUrl: string;
}

export interface BlastQuery {
  name: string;
  description: string;
  /** The `email_messages.email_type` of its messages. */
  emailType: string;
  params: BlastQueryParam[];
  /** Families whose identical message went out within the interval are skipped (money rule 10). */
  skipsRecentlySent: boolean;
  /** When false the query answers 400 "not available yet" until its data exists. */
  available: boolean;
  families(
    manager: EntityManager,
    tenantId: number,
    params: Record<string, unknown>,
    filter: { email?: string },
    context: BlastContext,
  ): Promise<BlastFamily[]>;
}

/** One line of a statement-style message: a player's item and its pay link. */
interface StatementLine {
  playerName: string;
  itemName: string;
  amountCents: number;
  currency: string;
  payUrl: string;
}

/**
 * A family whose message is the statement template: Player | Item | Amount | Pay Now. Every
 * statement-style query shares these skip rules (no email; nothing to pay; one currency only).
 */
function statementFamily(
  family: { parent_id: number; parent_name: string; email: string | null; digest: string },
  lines: StatementLine[],
  nothingToPay: SkipReason = 'no_email',
): BlastFamily {
  const currencies = new Set(lines.map((line) => line.currency));
  const skip: SkipReason | undefined = !family.email
    ? 'no_email'
    : lines.length === 0
      ? nothingToPay
      : currencies.size !== 1
        ? 'mixed_currencies'
        : undefined;
  return {
    parentId: family.parent_id,
    parentName: family.parent_name,
    email: family.email,
    digest: family.digest,
    skip,
    render: (mailer, club, banner) =>
      mailer.render('statement', {
        tenant: club,
        banner,
        data: {
          parentName: family.parent_name,
          currency: lines[0]?.currency ?? 'usd',
          totalCents: lines.reduce((sum, line) => sum + line.amountCents, 0),
          items: lines,
        },
      }),
  };
}

export const BLAST_QUERY_NAMES = [
  'outstanding_balances',
  'first_payment',
  'tournament_committed',
] as const;

type BlastQueryName = (typeof BLAST_QUERY_NAMES)[number];

/**
 * The queries a blast may mail, each reading its families through the repository of the module
 * that owns the data (Billing's statement and first month, Tournament's committed players).
 */
@Injectable()
export class BlastRegistry {
  readonly queries: readonly BlastQuery[];

  constructor(
    private readonly statements: StatementsRepository,
    private readonly firstMonths: FirstMonthRepository,
    private readonly tournaments: TournamentsRepository,
  ) {
    const byName: Record<BlastQueryName, Omit<BlastQuery, 'name'>> = {
      outstanding_balances: {
        description:
          'Every family that owes something with a Pay Now link: one statement per family.',
        emailType: 'statement',
        params: [],
        skipsRecentlySent: true,
        available: true,
        families: (manager, tenantId, _params, filter) =>
          this.outstandingBalances(manager, tenantId, filter),
      },
      first_payment: {
        description:
          "Players with a signed contract and no paid monthly order: each player's first-month pay link.",
        emailType: 'first_payment',
        params: [],
        skipsRecentlySent: true,
        available: true,
        families: (manager, tenantId, _params, filter, context) =>
          this.firstPayment(manager, tenantId, filter, context),
      },
      tournament_committed: {
        description:
          "Players committed to a tournament: the pay link of each player's tournament order.",
        emailType: 'tournament_committed',
        params: [
          { name: 'tournament_id', type: 'integer', required: true, description: 'The tournament' },
        ],
        skipsRecentlySent: true,
        available: true,
        families: (manager, tenantId, params, filter) =>
          this.tournamentCommitted(manager, tenantId, params.tournament_id as number, filter),
      },
    };
    this.queries = BLAST_QUERY_NAMES.map((name) => ({ name, ...byName[name] }));
  }

  /** The query and its checked parameters: unknown names, missing or mistyped values are a 400. */
  blastQuery(
    name: string,
    params: Record<string, unknown> = {},
  ): { query: BlastQuery; params: Record<string, unknown> } {
    const query = this.queries.find((candidate) => candidate.name === name);
    if (!query)
      throw new DomainException('validation_failed', `Unknown blast query ${name}`, [
        { field: 'query', problems: [`must be one of ${BLAST_QUERY_NAMES.join(', ')}`] },
      ]);
    const problems: { field: string; problems: string[] }[] = [];
    for (const key of Object.keys(params))
      if (!query.params.some((param) => param.name === key))
        problems.push({ field: `params.${key}`, problems: [`is not a parameter of ${name}`] });
    for (const param of query.params) {
      const value = params[param.name];
      if (value === undefined) {
        if (param.required)
          problems.push({ field: `params.${param.name}`, problems: ['is required'] });
      } else if (!Number.isSafeInteger(value) || (value as number) < 1) {
        problems.push({ field: `params.${param.name}`, problems: ['must be a positive integer'] });
      }
    }
    if (problems.length > 0)
      throw new DomainException('validation_failed', 'The blast parameters are invalid', problems);
    return { query, params };
  }

  private async outstandingBalances(
    manager: EntityManager,
    tenantId: number,
    filter: { email?: string },
  ): Promise<BlastFamily[]> {
    const statements = await this.statements.outstandingBalances(manager, tenantId, {
      email: filter.email,
    });
    return statements.map((statement) =>
      statementFamily(
        statement,
        statement.items.map((item) => ({
          playerName: item.player_name,
          itemName: item.item,
          amountCents: item.amount_cents,
          currency: item.currency,
          payUrl: item.pay_url,
        })),
      ),
    );
  }

  private async firstPayment(
    manager: EntityManager,
    tenantId: number,
    filter: { email?: string },
    context: BlastContext,
  ): Promise<BlastFamily[]> {
    const families = await this.firstMonths.families(manager, tenantId, filter);
    // One message per family: each player's first month, with the public first-payment link,
    // which re-checks the contract at the click.
    return families.map((family) =>
      statementFamily(
        family,
        family.players.map((player) => ({
          playerName: player.player_name,
          itemName: `${player.item} (first month)`,
          amountCents: player.fee_cents,
          currency: player.currency,
          payUrl: `${context.publicBaseUrl}/checkout/first-payment?token=${player.token}`,
        })),
      ),
    );
  }

  private async tournamentCommitted(
    manager: EntityManager,
    tenantId: number,
    tournamentId: number,
    filter: { email?: string },
  ): Promise<BlastFamily[]> {
    const tournament = await this.tournaments.find(manager, tenantId, tournamentId);
    const families = await this.tournaments.committedFamilies(
      manager,
      tenantId,
      tournament.id,
      filter,
    );
    return families.map((family) =>
      statementFamily(
        family,
        family.items.map((item) => ({
          playerName: item.player_name,
          itemName: `${item.item} (${tournament.name})`,
          amountCents: item.amount_cents,
          currency: item.currency,
          payUrl: item.pay_url,
        })),
        'no_tournament_order',
      ),
    );
  }
}
