import { withoutSecrets } from './logging';

describe('log redaction', () => {
  it('removes secret query parameters and keeps the rest', () => {
    expect(withoutSecrets('/checkout/first-payment?token=abc123&x=1')).toBe(
      '/checkout/first-payment?token=[REDACTED]&x=1',
    );
    expect(withoutSecrets('/x?a=1&api_key=zzz')).toBe('/x?a=1&api_key=[REDACTED]');
    expect(withoutSecrets('/admin/parents?limit=5')).toBe('/admin/parents?limit=5');
  });
});
