import { bearerKey, generateApiKey, hashApiKey } from './api-key';

describe('admin API keys', () => {
  it('generates distinct keys with at least 256 bits of randomness and a short display prefix', () => {
    const first = generateApiKey();
    const second = generateApiKey();
    expect(first.key).not.toEqual(second.key);
    expect(first.key).toMatch(/^cs_admin_[A-Za-z0-9_-]{43}$/);
    expect(first.key.startsWith(first.prefix)).toBe(true);
    expect(first.prefix.length).toBeLessThan(20);
  });

  it('stores only the sha-256 of the key', () => {
    const { key, hash } = generateApiKey();
    expect(hash).toEqual(hashApiKey(key));
    expect(hash).toMatch(/^[0-9a-f]{64}$/);
    expect(hash).not.toContain(key);
  });

  it('reads a key only from a well-formed Bearer header', () => {
    expect(bearerKey('Bearer cs_admin_abcdefghijklmnopqrstuvwxyz')).toBe(
      'cs_admin_abcdefghijklmnopqrstuvwxyz',
    );
    expect(bearerKey('bearer cs_admin_abcdefghijklmnopqrstuvwxyz')).toBeUndefined();
    expect(bearerKey('Bearer short')).toBeUndefined();
    expect(bearerKey('Bearer a b')).toBeUndefined();
    expect(bearerKey(undefined)).toBeUndefined();
  });
});
