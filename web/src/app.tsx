import { useEffect, useState } from 'preact/hooks';
import { setUnauthorizedHandler } from './api/client.js';
import { currentToken, forgetToken, safeReturnTo } from './auth/session.js';
import { lazyPage } from './components/lazy.js';
import { TopBar } from './components/top-bar.js';
import { CallbackPage } from './pages/callback.js';
import { HomePage } from './pages/home.js';
import { NotFoundPage } from './pages/not-found.js';
import { PinPage } from './pages/pin.js';
import { SignInPage } from './pages/signin.js';
import { match, navigate, useLocation } from './router.js';

const AnalyticsPage = lazyPage(() => import('./pages/analytics/analytics.js').then((m) => m.AnalyticsPage));
const ExperimentsPage = lazyPage(() =>
  import('./pages/experiments/experiments.js').then((m) => m.ExperimentsPage),
);
const ExperimentPage = lazyPage(() =>
  import('./pages/experiments/experiment.js').then((m) => m.ExperimentPage),
);
/** Pages only a signed-in person can use (the rest of the app's rule is below). */
const INSIGHTS_PAGES = new Set(['analytics', 'experiments', 'experiment']);

// A token the API refuses (expired or revoked): forget it and go through sign-in, coming back here.
setUnauthorizedHandler(() => {
  if (!currentToken()) return;
  forgetToken();
  const here = `${location.pathname}${location.search}`;
  navigate(`/signin?expired=1&return_to=${encodeURIComponent(here)}`, true);
});

const TITLES: Record<string, string> = {
  home: 'Home · Corkboard',
  signin: 'Sign in · Corkboard',
  callback: 'Signing in · Corkboard',
  notFound: 'Not found · Corkboard',
  analytics: 'Analytics · Corkboard',
  experiments: 'Experiments · Corkboard',
  experiment: 'Experiment results · Corkboard',
};

export function App() {
  const { pathname, search } = useLocation();
  const [signedIn, setSignedIn] = useState(Boolean(currentToken()));
  const route = match(pathname);
  const needsSignIn =
    (route.name === 'home' || route.name === 'pin' || INSIGHTS_PAGES.has(route.name)) && !currentToken();

  const params = new URLSearchParams(search);
  const alreadyIn = route.name === 'signin' && Boolean(currentToken()) && !params.has('expired');

  useEffect(() => {
    setSignedIn(Boolean(currentToken()));
    if (needsSignIn) navigate(`/signin?return_to=${encodeURIComponent(pathname + search)}`, true);
    // Signed in already: the sign-in page has nothing to do.
    else if (alreadyIn) navigate(safeReturnTo(params.get('return_to')), true);
    const title = TITLES[route.name];
    if (title) document.title = title;
  }, [pathname, search, needsSignIn, alreadyIn]);

  let page = null;
  if (route.name === 'signin') {
    page = alreadyIn ? null : (
      <SignInPage returnTo={params.get('return_to') ?? '/'} expired={params.has('expired')} />
    );
  } else if (route.name === 'callback') page = <CallbackPage onSignedIn={() => setSignedIn(true)} />;
  else if (needsSignIn) page = null;
  else if (route.name === 'home') page = <HomePage />;
  else if (route.name === 'pin') page = <PinPage key={route.pinId} pinId={route.pinId} />;
  else if (route.name === 'analytics') page = <AnalyticsPage />;
  else if (route.name === 'experiments') page = <ExperimentsPage />;
  else if (route.name === 'experiment') page = <ExperimentPage key={route.key} experimentKey={route.key} />;
  else page = <NotFoundPage />;

  return (
    <>
      <a class="skip-link" href="#main">
        Skip to content
      </a>
      <TopBar signedIn={signedIn && route.name !== 'signin'} />
      {page}
    </>
  );
}
