import { randomBytes } from 'node:crypto';
import type { App } from '../../../src/app.js';
import type { Surface } from '../../../src/modules/events/index.js';
import type { TestUser } from '../../helpers/factories.js';

export { makePin } from '../../helpers/factories.js';

/** An impression token as a list response would carry it for `viewer`. */
export function tokenFor(
  app: App,
  viewer: { id: string },
  pinId: string,
  opts: { surface?: Surface; position?: number; now?: number; requestId?: string } = {},
): string {
  return app.product.impressionTokens.issue(
    {
      viewerUserId: viewer.id,
      pinId,
      surface: opts.surface ?? 'HOME_FEED',
      position: opts.position ?? 0,
      requestId: opts.requestId ?? 'req-1',
    },
    opts.now,
  );
}

export const newEventId = () => `e-${randomBytes(6).toString('hex')}`;

/** A well-formed client event; `over` replaces fields. */
export function event(
  token: string,
  pinId: string,
  over: Record<string, unknown> = {},
): Record<string, unknown> {
  return {
    event_id: newEventId(),
    kind: 'IMPRESSION',
    time: new Date().toISOString(),
    impression_token: token,
    pin_id: pinId,
    surface: 'HOME_FEED',
    position: 0,
    app_type: 'WEB',
    ...over,
  };
}

/** POST /v5/events as `user`. */
export async function postEvents(app: App, user: TestUser, body: unknown) {
  return app.http.inject({
    method: 'POST',
    url: '/v5/events',
    headers: { ...(await user.auth()), 'content-type': 'application/json' },
    payload: typeof body === 'string' ? body : JSON.stringify(body),
  });
}

/** The value of a counter sample in /metrics text, 0 when absent. */
export async function metricValue(app: App, name: string, labels: string): Promise<number> {
  const res = await app.http.inject({ method: 'GET', url: '/metrics' });
  const line = res.body.split('\n').find((l) => l.startsWith(`${name}{${labels}}`));
  return line ? Number(line.split(' ').pop()) : 0;
}
