import type { ContractStatus, Player } from '../entities/player.entity';

export type ContractDates = Pick<Player, 'contractSignedOn' | 'contractEndedOn'>;

/**
 * The contract's dates once its status becomes `to` on the club's local `today`: signing
 * starts a contract (an already signed one keeps its date) and clears its end; terminating
 * ends it (an already terminated one keeps its date). Other statuses leave the dates alone.
 * The roster import writes the same rule in SQL (roster.queries.ts).
 */
export function contractDates(
  from: ContractStatus | undefined,
  to: ContractStatus,
  stored: ContractDates,
  today: string,
): ContractDates {
  if (to === 'signed')
    return {
      contractSignedOn: from === 'signed' ? (stored.contractSignedOn ?? today) : today,
      contractEndedOn: null,
    };
  if (to === 'terminated')
    return {
      contractSignedOn: stored.contractSignedOn,
      contractEndedOn: from === 'terminated' ? (stored.contractEndedOn ?? today) : today,
    };
  return stored;
}
