import { Injectable, PipeTransform } from '@nestjs/common';
import { DomainException } from '../errors/domain.exception';

const MAX_ID = 2_147_483_647;

/** Path ids are positive integers; anything else is a 400 before it reaches a query. */
@Injectable()
export class IdPipe implements PipeTransform<string, number> {
  transform(value: string): number {
    const id = /^\d{1,10}$/.test(value) ? Number(value) : NaN;
    if (!Number.isSafeInteger(id) || id < 1 || id > MAX_ID) {
      throw new DomainException(
        'validation_failed',
        'The id in the path must be a positive integer',
        [{ field: 'id', problems: ['must be a positive integer'] }],
      );
    }
    return id;
  }
}
