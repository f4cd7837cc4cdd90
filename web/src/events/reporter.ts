import { currentToken } from '../auth/session.js';
import { Recent } from '../lib/recent.js';
import { type ClientEvent, EventBatcher, type Served } from './batcher.js';

async function send(events: ClientEvent[], { keepalive }: { keepalive: boolean }): Promise<boolean> {
  const token = currentToken();
  if (!token) return true; // Signed out: nobody to report for; drop them.
  const res = await fetch('/v5/events', {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
    body: JSON.stringify({ events }),
    keepalive,
  });
  // A 4xx other than rate limiting will not get better by retrying.
  return res.ok || (res.status >= 400 && res.status < 500 && res.status !== 429);
}

/** The app's one reporter of impressions and clicks. */
export const events = new EventBatcher({ send });

// Whatever waits goes out when the page is hidden (tab switched, app backgrounded, page closed).
document.addEventListener('visibilitychange', () => {
  if (document.visibilityState === 'hidden') void events.flush(true);
});
addEventListener('pagehide', () => void events.flush(true));

/** What each pin shown lately was served with, so the close-up can report its outbound click. */
const served = new Recent<Served>(2000);

export function rememberServed(item: Served): void {
  served.set(item.pinId, item);
}

export function servedWith(pinId: string): Served | undefined {
  return served.get(pinId);
}
