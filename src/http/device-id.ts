import type { FastifyRequest } from 'fastify';
import { Invalid } from '../platform/errors.js';
import { isDeviceId } from '../platform/ids.js';

/** The header a client acting with an app-only token names the device it serves with. */
export const DEVICE_ID_HEADER = 'x-device-id';

/** What the routes that take the header say of it (their description). */
export const DEVICE_ID_DOC =
  'With an app-only (client_credentials) token, `X-Device-Id` names the anonymous device the request is for ' +
  '(1 to 64 characters of A-Z a-z 0-9 . _ ~ -, as `device_id` of POST /v5/events): experiments assign and ' +
  'expose that device, and promoted pins may be shown to it; without it an app-only request is in no ' +
  'experiment and gets no ads. A user token is its user whatever the header says. A malformed value: 400.';

/** The device id of `X-Device-Id`, undefined when absent; a malformed one is a 400. */
export function deviceIdOf(request: FastifyRequest): string | undefined {
  const value = request.headers[DEVICE_ID_HEADER];
  if (value === undefined) return undefined;
  if (!isDeviceId(value)) throw new Invalid('X-Device-Id must be 1 to 64 characters of A-Z a-z 0-9 . _ ~ -.');
  return value;
}
