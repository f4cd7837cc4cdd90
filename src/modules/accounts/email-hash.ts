import { createHash } from 'node:crypto';

/**
 * SHA-256 (hex) of an e-mail address trimmed and lower-cased: how advertisers hash e-mails for customer
 * lists and conversion events, so those match people without anyone sending or keeping plain addresses.
 */
export function emailSha256(email: string): string {
  return createHash('sha256').update(email.trim().toLowerCase()).digest('hex');
}
