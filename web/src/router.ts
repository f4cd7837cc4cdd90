import { useEffect, useState } from 'preact/hooks';

/** The app's routes: a name and the path parameters. */
export type Route =
  | { name: 'home' }
  | { name: 'signin' }
  | { name: 'callback' }
  | { name: 'pin'; pinId: string }
  | { name: 'ads'; path: string }
  | { name: 'boards' }
  | { name: 'board'; boardId: string }
  | { name: 'user'; username: string }
  | { name: 'userList'; username: string; list: 'followers' | 'following' }
  | { name: 'analytics' }
  | { name: 'experiments' }
  | { name: 'experiment'; key: string }
  | { name: 'search' }
  | { name: 'create' }
  | { name: 'notFound' };

/** The route of a path (the server serves index.html at the same list of paths: src/modules/web). */
export function match(pathname: string): Route {
  if (pathname === '/') return { name: 'home' };
  if (pathname === '/signin') return { name: 'signin' };
  if (pathname === '/callback') return { name: 'callback' };
  if (pathname === '/search') return { name: 'search' };
  if (pathname === '/create') return { name: 'create' };
  const pin = /^\/pin\/([0-9]{1,20})\/?$/.exec(pathname);
  if (pin) return { name: 'pin', pinId: pin[1]! };
  // The ads manager routes inside its own pages (web/src/pages/ads/index.tsx).
  if (pathname === '/ads' || pathname.startsWith('/ads/')) return { name: 'ads', path: pathname };
  if (pathname === '/boards') return { name: 'boards' };
  const board = /^\/board\/([0-9]{1,20})\/?$/.exec(pathname);
  if (board) return { name: 'board', boardId: board[1]! };
  const user = /^\/user\/([^/]{1,100})(?:\/(followers|following))?\/?$/.exec(pathname);
  if (user) {
    let username: string;
    try {
      username = decodeURIComponent(user[1]!);
    } catch {
      return { name: 'notFound' };
    }
    const list = user[2] as 'followers' | 'following' | undefined;
    return list ? { name: 'userList', username, list } : { name: 'user', username };
  }
  if (pathname === '/analytics') return { name: 'analytics' };
  if (pathname === '/experiments') return { name: 'experiments' };
  const experiment = /^\/experiments\/([a-z0-9_-]{1,64})\/?$/.exec(pathname);
  if (experiment) return { name: 'experiment', key: experiment[1]! };
  return { name: 'notFound' };
}

const listeners = new Set<() => void>();

/** Goes to `path` inside the app, as a link would, without reloading. */
export function navigate(path: string, replace = false): void {
  if (replace) history.replaceState(null, '', path);
  else history.pushState(null, '', path);
  for (const l of listeners) l();
  if (!replace) scrollTo(0, 0);
}

/** The current location, re-read on navigation and on the browser's back and forward. */
export function useLocation(): { pathname: string; search: string } {
  const [, setTick] = useState(0);
  useEffect(() => {
    const update = () => setTick((t) => t + 1);
    listeners.add(update);
    addEventListener('popstate', update);
    return () => {
      listeners.delete(update);
      removeEventListener('popstate', update);
    };
  }, []);
  return { pathname: location.pathname, search: location.search };
}

/** Handles a click on an in-app link: plain left clicks navigate here, others (new tab...) go to the browser. */
export function onLinkClick(event: MouseEvent, path: string): void {
  if (
    event.defaultPrevented ||
    event.button !== 0 ||
    event.metaKey ||
    event.ctrlKey ||
    event.shiftKey ||
    event.altKey
  )
    return;
  event.preventDefault();
  navigate(path);
}
