import { contractDates } from './contract-dates';

const none = { contractSignedOn: null, contractEndedOn: null };

describe('contractDates', () => {
  it('signing records today and clears an earlier end', () => {
    expect(
      contractDates(
        'terminated',
        'signed',
        { contractSignedOn: '2026-01-05', contractEndedOn: '2026-03-01' },
        '2026-09-02',
      ),
    ).toEqual({ contractSignedOn: '2026-09-02', contractEndedOn: null });
    expect(contractDates(undefined, 'signed', none, '2026-09-02')).toEqual({
      contractSignedOn: '2026-09-02',
      contractEndedOn: null,
    });
  });

  it('an already signed contract keeps its date', () => {
    expect(
      contractDates(
        'signed',
        'signed',
        { contractSignedOn: '2026-01-05', contractEndedOn: null },
        '2026-09-02',
      ),
    ).toEqual({ contractSignedOn: '2026-01-05', contractEndedOn: null });
  });

  it('terminating records today and keeps the signing date; terminating again keeps the first end', () => {
    const signed = { contractSignedOn: '2026-01-05', contractEndedOn: null };
    const ended = contractDates('signed', 'terminated', signed, '2026-09-02');
    expect(ended).toEqual({ contractSignedOn: '2026-01-05', contractEndedOn: '2026-09-02' });
    expect(contractDates('terminated', 'terminated', ended, '2026-09-03')).toEqual(ended);
  });

  it('pending and none leave the dates alone', () => {
    const stored = { contractSignedOn: '2026-01-05', contractEndedOn: '2026-03-01' };
    expect(contractDates('terminated', 'pending', stored, '2026-09-02')).toEqual(stored);
    expect(contractDates('signed', 'none', stored, '2026-09-02')).toEqual(stored);
  });
});
