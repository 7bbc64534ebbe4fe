import { QueryFailedError } from 'typeorm';
import { DomainException } from './domain.exception';

/** Constraint names a client can trip, with what to tell them. */
const CONSTRAINT_MESSAGES: Record<string, string> = {
  tenants_slug_key: 'A club with this slug already exists',
  parents_tenant_email_key: 'A parent with this email already exists in the club',
  teams_tenant_name_season_key: 'A team with this name already exists for the season',
  payment_links_one_active_per_order_key: 'This order already has an active payment link',
  orders_billing_period_key: 'This month is already billed for the player',
  product_prices_product_amount_key: 'This product already has a price for this amount',
  tournament_teams_tournament_team_key: 'This team is already in the tournament',
  tournament_commitments_tournament_player_key: 'This player already answered for the tournament',
};

interface PgError {
  code?: string;
  constraint?: string;
  table?: string;
}

/** Turns the database errors a request can cause into domain errors; anything else stays a 500. */
export function fromPostgresError(error: unknown): DomainException | undefined {
  if (!(error instanceof QueryFailedError)) return undefined;
  const pg = error.driverError as PgError;
  switch (pg.code) {
    case '23505':
      return new DomainException(
        'conflict',
        CONSTRAINT_MESSAGES[pg.constraint ?? ''] ?? 'This would duplicate an existing record',
        { constraint: pg.constraint },
      );
    case '23503':
      return pg.constraint?.endsWith('_fkey') &&
        error.query.trimStart().toUpperCase().startsWith('DELETE')
        ? new DomainException('conflict', `Still in use by other records (${pg.table})`)
        : new DomainException('validation_failed', 'Refers to a record that does not exist', {
            constraint: pg.constraint,
          });
    case '23502':
      return new DomainException('validation_failed', 'A required value is missing', {
        column: (pg as { column?: string }).column,
      });
    case '23514':
      return new DomainException('validation_failed', 'A value is outside what is allowed', {
        constraint: pg.constraint,
      });
    case '22P02':
    case '22003':
    case '22001':
      return new DomainException('validation_failed', 'A value has the wrong form or size');
    default:
      return undefined;
  }
}

/**
 * SQLSTATEs by which PostgreSQL refuses a value for its content: a string too long, a number or
 * date out of range, text in the wrong form or encoding, a row over a size limit. The same input
 * fails every time; a fault of the database, the connection or our SQL is none of these.
 */
const REFUSED_CONTENT = new Set([
  '22001', // string_data_right_truncation
  '22003', // numeric_value_out_of_range
  '22007', // invalid_datetime_format
  '22008', // datetime_field_overflow
  '22021', // character_not_in_repertoire
  '22P02', // invalid_text_representation
  '22P05', // untranslatable_character
  '54000', // program_limit_exceeded (e.g. an index row too large)
]);

/** PostgreSQL refused a value for what it holds: retrying the same input cannot help. */
export function isRefusedValue(error: unknown): error is QueryFailedError {
  return (
    error instanceof QueryFailedError &&
    REFUSED_CONTENT.has((error.driverError as PgError).code ?? '')
  );
}
