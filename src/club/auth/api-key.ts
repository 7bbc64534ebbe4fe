import { createHash, randomBytes } from 'node:crypto';

const KEY_PREFIX = 'cs_admin_';

export interface NewApiKey {
  key: string;
  hash: string;
  /** Safe to show and log: enough to tell keys apart, too little to use. */
  prefix: string;
}

export function generateApiKey(): NewApiKey {
  const key = `${KEY_PREFIX}${randomBytes(32).toString('base64url')}`;
  return { key, hash: hashApiKey(key), prefix: key.slice(0, KEY_PREFIX.length + 6) };
}

export function hashApiKey(key: string): string {
  return createHash('sha256').update(key).digest('hex');
}

/** The key from `Authorization: Bearer <key>`, or undefined for anything else. */
export function bearerKey(header: string | undefined): string | undefined {
  const match = /^Bearer ([A-Za-z0-9_-]{20,200})$/.exec(header ?? '');
  return match?.[1];
}
