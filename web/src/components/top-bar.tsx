import { useEffect, useState } from 'preact/hooks';
import { useMe } from '../api/boards.js';
import { canSeeExperiments } from '../api/experiments.js';
import { signOut } from '../auth/session.js';
import { events } from '../events/reporter.js';
import { SearchBox } from '../pages/search/search-box.js';
import { navigate } from '../router.js';
import { Link } from './link.js';

/** The bar on every page: the brand (home) and, when signed in, sign-out. */
export function TopBar(props: { signedIn: boolean }) {
  const [leaving, setLeaving] = useState(false);
  const me = useMe(props.signedIn);
  const [experiments, setExperiments] = useState(false);
  useEffect(() => {
    let live = true;
    if (props.signedIn) canSeeExperiments().then((yes) => live && setExperiments(yes));
    else setExperiments(false);
    return () => {
      live = false;
    };
  }, [props.signedIn]);
  return (
    <header class="topbar">
      <Link class="brand" href="/" aria-label="Corkboard home">
        <span class="brand-mark" aria-hidden="true" />
        Corkboard
      </Link>
      <nav class="topbar-nav" aria-label="Main">
        {props.signedIn && (
          <Link class="nav-link" href="/">
            Home
          </Link>
        )}
        {props.signedIn && (
          <Link class="nav-link" href="/create">
            Create
          </Link>
        )}
        {props.signedIn && (
          <Link class="nav-link" href="/boards">
            Boards
          </Link>
        )}
        {props.signedIn && me && (
          <Link class="nav-link" href={`/user/${encodeURIComponent(me)}`}>
            Profile
          </Link>
        )}
        {props.signedIn && (
          <Link class="nav-link" href="/ads">
            Ads
          </Link>
        )}
        {props.signedIn && (
          <Link class="nav-link" href="/analytics">
            Analytics
          </Link>
        )}
        {props.signedIn && experiments && (
          <Link class="nav-link" href="/experiments">
            Experiments
          </Link>
        )}
      </nav>
      {props.signedIn && <SearchBox />}
      {props.signedIn && (
        <button
          type="button"
          class="btn"
          disabled={leaving}
          onClick={async () => {
            setLeaving(true);
            await events.flush(false);
            await signOut();
            navigate('/signin', true);
          }}
        >
          {leaving ? 'Signing out…' : 'Sign out'}
        </button>
      )}
    </header>
  );
}
