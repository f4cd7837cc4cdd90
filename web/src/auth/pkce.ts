import { sha256 } from './sha256.js';

/** base64url without padding (RFC 7636 appendix A). */
export function base64url(bytes: Uint8Array): string {
  let s = '';
  for (const b of bytes) s += String.fromCharCode(b);
  return btoa(s).replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '');
}

/** A random string of `bytes` random bytes, base64url (43 characters for 32 bytes). */
export function randomString(bytes = 32): string {
  return base64url(crypto.getRandomValues(new Uint8Array(bytes)));
}

/** The S256 challenge of a verifier: WebCrypto where the context allows it, else plain JS. */
export async function s256(verifier: string): Promise<string> {
  const data = new TextEncoder().encode(verifier);
  if (globalThis.crypto?.subtle) {
    return base64url(new Uint8Array(await crypto.subtle.digest('SHA-256', data)));
  }
  return base64url(sha256(data));
}
