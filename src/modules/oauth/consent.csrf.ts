import { timingSafeEqual } from 'node:crypto';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { newToken } from '../../platform/secrets-hash.js';

/**
 * CSRF protection of the forms shown before anyone is signed in (sign-in, sign-up), by double submit:
 * a random token in an HttpOnly cookie and the same token in the form; a POST must carry both, equal.
 * A cross-site page can make the browser send the cookie (were SameSite ignored) but cannot read it to
 * put it in the form. Once signed in, the session's own token (web_sessions.csrf) guards the consent
 * and sign-out forms instead.
 */
const COOKIE = 'cb_form';
const TOKEN = /^[A-Za-z0-9_-]{43}$/;

/** The browser's form token, set as a cookie first if it has none (or a malformed one). */
export function formToken(request: FastifyRequest, reply: FastifyReply, secure: boolean): string {
  const held = request.cookies[COOKIE];
  if (held && TOKEN.test(held)) return held;
  const token = newToken('');
  reply.setCookie(COOKIE, token, { path: '/oauth', httpOnly: true, sameSite: 'lax', secure });
  return token;
}

/** Whether a posted form's token matches the browser's cookie (constant time). */
export function formTokenMatches(request: FastifyRequest, posted: string | undefined): boolean {
  const held = request.cookies[COOKIE];
  return sameSecret(held, posted);
}

/** Constant-time equality of two secrets; false if either is missing. */
export function sameSecret(a: string | undefined, b: string | undefined): boolean {
  if (!a || !b) return false;
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.length === y.length && timingSafeEqual(x, y);
}
