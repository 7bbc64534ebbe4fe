import { DomainException } from '../common/errors/domain.exception';
import { BLAST_QUERY_NAMES, BlastRegistry } from './blast-registry';

describe('blast registry', () => {
  // Checking a query's name and parameters reads no data: the repositories stay unused.
  const registry = new BlastRegistry(null as never, null as never, null as never);

  const problemsOf = (name: string, params?: Record<string, unknown>) => {
    try {
      registry.blastQuery(name, params);
    } catch (error) {
      expect(error).toBeInstanceOf(DomainException);
      return (error as DomainException).details;
    }
    throw new Error(`${name} was accepted`);
  };

  it('lists its queries in the order of BLAST_QUERY_NAMES, which the request DTO accepts', () => {
    expect(registry.queries.map((query) => query.name)).toEqual([...BLAST_QUERY_NAMES]);
  });

  it('an unknown query is a field problem naming the known ones', () => {
    expect(problemsOf('everyone')).toEqual([
      { field: 'query', problems: [`must be one of ${BLAST_QUERY_NAMES.join(', ')}`] },
    ]);
  });

  it('a parameter the query does not take is refused', () => {
    expect(problemsOf('outstanding_balances', { tournament_id: 1 })).toEqual([
      { field: 'params.tournament_id', problems: ['is not a parameter of outstanding_balances'] },
    ]);
  });

  it('a required parameter must be there and be a positive integer', () => {
    expect(problemsOf('tournament_committed')).toEqual([
      { field: 'params.tournament_id', problems: ['is required'] },
    ]);
    for (const value of [0, -1, 1.5, '3'])
      expect(problemsOf('tournament_committed', { tournament_id: value })).toEqual([
        { field: 'params.tournament_id', problems: ['must be a positive integer'] },
      ]);
  });

  it('answers the query with its checked parameters', () => {
    const { query, params } = registry.blastQuery('tournament_committed', { tournament_id: 7 });
    expect(query.emailType).toBe('tournament_committed');
    expect(params).toEqual({ tournament_id: 7 });
  });
});
