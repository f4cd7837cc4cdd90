import { createHash, timingSafeEqual } from 'node:crypto';

/** The only PKCE method accepted: `plain` would send the verifier itself through the browser. */
export const PKCE_METHOD = 'S256';

/** base64url(SHA-256(verifier)) is 43 characters of the base64url alphabet (RFC 7636 §4.2). */
const CHALLENGE = /^[A-Za-z0-9_-]{43}$/;
/** 43 to 128 unreserved characters (RFC 7636 §4.1). */
const VERIFIER = /^[A-Za-z0-9._~-]{43,128}$/;

/** Whether `value` has the form of an S256 code challenge. */
export function isCodeChallenge(value: string): boolean {
  return CHALLENGE.test(value);
}

/** Whether `value` has the form of a code verifier. */
export function isCodeVerifier(value: string): boolean {
  return VERIFIER.test(value);
}

/** The S256 challenge of a verifier. */
export function challengeOf(verifier: string): string {
  return createHash('sha256').update(verifier, 'ascii').digest('base64url');
}

/** Whether `verifier` is the one `challenge` was made from, compared in constant time. */
export function verifierMatches(verifier: string, challenge: string): boolean {
  if (!isCodeVerifier(verifier)) return false;
  const a = Buffer.from(challengeOf(verifier));
  const b = Buffer.from(challenge);
  return a.length === b.length && timingSafeEqual(a, b);
}
