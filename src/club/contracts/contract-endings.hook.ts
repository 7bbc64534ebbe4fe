import { Injectable } from '@nestjs/common';
import { EntityManager } from 'typeorm';
import { ClubContext } from '../auth/club-context';

/** Players whose contract was terminated in the caller's transaction, on the club's local `today`. */
export interface EndedContracts {
  club: ClubContext;
  playerIds: number[];
  /** The club's local date, `YYYY-MM-DD`: its month is the last one the players still owe. */
  today: string;
}

export type ContractEndingHandler = (
  manager: EntityManager,
  ended: EndedContracts,
) => Promise<void>;

/**
 * What a terminated contract does to the family's bill lives in the billing module, which builds
 * on this one (club ← orders ← payment-links ← billing): it registers here at start-up, and the
 * players' paths (PATCH, roster import) call it inside their own transaction.
 */
@Injectable()
export class ContractEndingsHook {
  private handler?: ContractEndingHandler;

  register(handler: ContractEndingHandler): void {
    if (this.handler) throw new Error('A contract-ending handler is already registered');
    this.handler = handler;
  }

  async ended(manager: EntityManager, ended: EndedContracts): Promise<void> {
    if (ended.playerIds.length === 0) return;
    // Never end a contract silently without its billing consequences.
    if (!this.handler) throw new Error('No contract-ending handler is registered');
    await this.handler(manager, ended);
  }
}
