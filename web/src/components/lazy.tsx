import type { ComponentType } from 'preact';
import { useEffect, useState } from 'preact/hooks';
import { ErrorMessage } from './error-message.js';

/**
 * A page whose code is fetched the first time it is shown (its own chunk: the charts and the ads
 * manager stay out of the home feed's first load). `load` is `() => import('./pages/x.js').then((m) => m.X)`.
 */
export function lazyPage<P extends object>(load: () => Promise<ComponentType<P>>): ComponentType<P> {
  let loaded: ComponentType<P> | undefined;
  return function LazyPage(props: P) {
    const [Page, setPage] = useState<ComponentType<P> | undefined>(() => loaded);
    const [error, setError] = useState<unknown>(undefined);
    const [attempt, setAttempt] = useState(0);
    useEffect(() => {
      if (Page) return;
      let live = true;
      load().then(
        (component) => {
          loaded = component;
          if (live) setPage(() => component);
        },
        (err: unknown) => {
          if (live) setError(err);
        },
      );
      return () => {
        live = false;
      };
    }, [attempt]);
    if (Page) return <Page {...props} />;
    if (error) {
      return (
        <main id="main" class="page">
          <ErrorMessage
            error={new Error('This page could not be loaded. Check your connection and try again.')}
            onRetry={() => {
              setError(undefined);
              setAttempt((a) => a + 1);
            }}
          />
        </main>
      );
    }
    return (
      <main id="main" class="page" aria-busy="true">
        <p class="loading">Loading…</p>
      </main>
    );
  };
}
