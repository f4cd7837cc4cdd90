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
import { match, navigate, type Route, useLocation } from './router.js';

const AdsManager = lazyPage(() => import('./pages/ads/index.js').then((m) => m.AdsManager));
const MyBoardsPage = lazyPage(() => import('./pages/boards/my-boards.js').then((m) => m.MyBoardsPage));
const BoardPage = lazyPage(() => import('./pages/boards/board.js').then((m) => m.BoardPage));
const ProfilePage = lazyPage(() => import('./pages/boards/profile.js').then((m) => m.ProfilePage));
const PeoplePage = lazyPage(() => import('./pages/boards/profile.js').then((m) => m.PeoplePage));

const AnalyticsPage = lazyPage(() => import('./pages/analytics/analytics.js').then((m) => m.AnalyticsPage));
const ExperimentsPage = lazyPage(() =>
  import('./pages/experiments/experiments.js').then((m) => m.ExperimentsPage),
);
const ExperimentPage = lazyPage(() =>
  import('./pages/experiments/experiment.js').then((m) => m.ExperimentPage),
);
/** Pages only a signed-in person can use (the rest of the app's rule is below). */

const SearchPage = lazyPage(() => import('./pages/search/search.js').then((m) => m.SearchPage));
const CreatePage = lazyPage(() => import('./pages/create/create.js').then((m) => m.CreatePage));

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
  ads: 'Ads · Corkboard',
  boards: 'Your boards · Corkboard',
  board: 'Board · Corkboard',
  user: 'Profile · Corkboard',
  userList: 'People · Corkboard',
  analytics: 'Analytics · Corkboard',
  experiments: 'Experiments · Corkboard',
  experiment: 'Experiment results · Corkboard',
  search: 'Search · Corkboard',
  create: 'Create Pin · Corkboard',
};

const OPEN_ROUTES = new Set<Route['name']>(['signin', 'callback', 'notFound']);

export function App() {
  const { pathname, search } = useLocation();
  const [signedIn, setSignedIn] = useState(Boolean(currentToken()));
  const route = match(pathname);
  // Every page but signing in and the not-found page needs a signed-in person.
  const needsSignIn = !OPEN_ROUTES.has(route.name) && !currentToken();

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
  else if (route.name === 'ads') page = <AdsManager path={route.path} search={search} />;
  else if (route.name === 'boards') page = <MyBoardsPage />;
  else if (route.name === 'board') page = <BoardPage key={route.boardId} boardId={route.boardId} />;
  else if (route.name === 'user') page = <ProfilePage key={route.username} username={route.username} />;
  else if (route.name === 'userList')
    page = <PeoplePage key={`${route.username}/${route.list}`} username={route.username} list={route.list} />;
  else if (route.name === 'analytics') page = <AnalyticsPage />;
  else if (route.name === 'experiments') page = <ExperimentsPage />;
  else if (route.name === 'experiment') page = <ExperimentPage key={route.key} experimentKey={route.key} />;
  else if (route.name === 'search') page = <SearchPage search={search} />;
  else if (route.name === 'create') page = <CreatePage />;
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
