import { useState } from 'preact/hooks';
import { signOut } from '../auth/session.js';
import { events } from '../events/reporter.js';
import { SearchBox } from '../pages/search/search-box.js';
import { navigate } from '../router.js';
import { Link } from './link.js';

/** The bar on every page: the brand (home) and, when signed in, sign-out. */
export function TopBar(props: { signedIn: boolean }) {
  const [leaving, setLeaving] = useState(false);
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
