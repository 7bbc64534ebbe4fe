import { isIP } from 'node:net';
import { ValidateBy } from 'class-validator';

/** What express's `trust proxy` gets: off, a number of hops, or the proxies' addresses. */
export type TrustProxy = false | number | string[];

/** The address ranges express knows by name (proxy-addr). */
const NAMED_RANGES = ['loopback', 'linklocal', 'uniquelocal'];

/**
 * TRUST_PROXY as express takes it, or undefined when it is not a setting. `true` (trust every
 * hop) is refused: the client writes the leftmost X-Forwarded-For entry itself, so it could pick
 * the address the rate limit counts.
 */
export function trustProxyOf(value: string | undefined): TrustProxy | undefined {
  const setting = value?.trim() ?? '';
  if (setting === '' || setting === 'false') return false;
  if (/^\d{1,2}$/.test(setting)) return Number(setting) === 0 ? false : Number(setting);
  const proxies = setting.split(',').map((entry) => entry.trim());
  return proxies.every(isProxyAddress) ? proxies : undefined;
}

function isProxyAddress(entry: string): boolean {
  if (NAMED_RANGES.includes(entry)) return true;
  const [address, prefix, ...rest] = entry.split('/');
  const family = isIP(address);
  if (family === 0 || rest.length > 0) return false;
  if (prefix === undefined) return true;
  return /^\d{1,3}$/.test(prefix) && Number(prefix) <= (family === 4 ? 32 : 128);
}

export const TrustProxySetting = () =>
  ValidateBy({
    name: 'trustProxySetting',
    validator: {
      validate: (value: unknown) => typeof value === 'string' && trustProxyOf(value) !== undefined,
      defaultMessage: () =>
        'TRUST_PROXY must be false, the number of proxies in front (1), or their comma-separated addresses or CIDRs (10.0.0.0/8) or loopback, linklocal, uniquelocal; not true, which would let a client pick its own address',
    },
  });
