import { useCallback, useEffect, useState } from 'preact/hooks';
import {
  type BoardInfo,
  boardsOfPage,
  follow,
  getProfile,
  myUsername,
  type Person,
  type Profile,
  peoplePage,
  unfollow,
} from '../../api/boards.js';
import { usePages } from '../../api/use-pages.js';
import { ErrorMessage } from '../../components/error-message.js';
import { Link } from '../../components/link.js';
import { BoardGrid } from './board-grid.js';
import '../../styles/boards.css';

const plural = (n: number, one: string, many: string) => `${n} ${n === 1 ? one : many}`;

/** A person's profile, with its counts and follow button; `me` tells whether it is my own. */
function useProfile(username: string) {
  const [profile, setProfile] = useState<Profile | null>(null);
  const [me, setMe] = useState<string | undefined>(undefined);
  const [error, setError] = useState<unknown>(null);
  const [attempt, setAttempt] = useState(0);
  useEffect(() => {
    let live = true;
    setError(null);
    Promise.all([getProfile(username), myUsername()]).then(
      ([p, m]) => {
        if (!live) return;
        setProfile(p);
        setMe(m);
      },
      (err: unknown) => live && setError(err),
    );
    return () => {
      live = false;
    };
  }, [username, attempt]);
  return { profile, setProfile, me, error, retry: () => setAttempt((a) => a + 1) };
}

function ProfileHead(props: { profile: Profile; me: string | undefined; onChanged: (p: Profile) => void }) {
  const { profile, me } = props;
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<unknown>(null);
  const base = `/user/${encodeURIComponent(profile.username)}`;
  return (
    <header class="profile-head">
      <span class="avatar avatar-large" aria-hidden="true">
        {profile.profile_image ? (
          <img src={profile.profile_image} alt="" />
        ) : (
          profile.username.slice(0, 1).toUpperCase()
        )}
      </span>
      <h1>{profile.username}</h1>
      {profile.about && <p>{profile.about}</p>}
      <p class="profile-counts">
        <Link href={`${base}/followers`}>{plural(profile.follower_count, 'follower', 'followers')}</Link>
        <span aria-hidden="true"> · </span>
        <Link href={`${base}/following`}>{`${profile.following_count} following`}</Link>
        <span aria-hidden="true"> · </span>
        <span>{plural(profile.board_count, 'board', 'boards')}</span>
        <span aria-hidden="true"> · </span>
        <span>{plural(profile.pin_count, 'Pin', 'Pins')}</span>
      </p>
      {me && me !== profile.username && (
        <button
          type="button"
          class={profile.is_following ? 'btn' : 'btn btn-primary'}
          aria-pressed={profile.is_following}
          disabled={busy}
          onClick={async () => {
            setBusy(true);
            setError(null);
            try {
              if (profile.is_following) await unfollow(profile.username);
              else await follow(profile.username);
              props.onChanged({
                ...profile,
                is_following: !profile.is_following,
                follower_count: profile.follower_count + (profile.is_following ? -1 : 1),
              });
            } catch (err) {
              setError(err);
            } finally {
              setBusy(false);
            }
          }}
        >
          {profile.is_following ? 'Following' : 'Follow'}
          <span class="visually-hidden"> {profile.username}</span>
        </button>
      )}
      {me === profile.username && (
        <Link href="/boards" class="btn">
          Manage your boards
        </Link>
      )}
      {error ? <ErrorMessage error={error} /> : null}
    </header>
  );
}

/** /user/:username — the person, their counts, follow, and their boards (what the API lets me see). */
export function ProfilePage(props: { username: string }) {
  const { username } = props;
  const { profile, setProfile, me, error, retry } = useProfile(username);
  const fetchBoards = useCallback((bookmark: string | null) => boardsOfPage(username, bookmark), [username]);
  const boards = usePages<BoardInfo>(`user-boards:${username}`, fetchBoards);
  useEffect(() => {
    document.title = `${username} · Corkboard`;
  }, [username]);

  if (error) {
    return (
      <main class="page" id="main">
        <h1>{username}</h1>
        <ErrorMessage error={error} onRetry={retry} />
      </main>
    );
  }
  return (
    <main class="page profile-page" id="main">
      {profile ? (
        <ProfileHead profile={profile} me={me} onChanged={setProfile} />
      ) : (
        <p class="loading" role="status">
          Loading profile…
        </p>
      )}
      <section aria-labelledby="boards-heading">
        <h2 id="boards-heading" class="section-heading">
          Boards
        </h2>
        {boards.items.length > 0 && <BoardGrid boards={boards.items} label={`Boards of ${username}`} />}
        <div class="list-status">
          {boards.loading && <p class="muted">Loading boards…</p>}
          {!boards.loading && !boards.error && boards.items.length === 0 && (
            <p class="muted">No boards to show.</p>
          )}
          {boards.error ? <ErrorMessage error={boards.error} onRetry={boards.retry} /> : null}
          {boards.hasMore && !boards.loading && boards.items.length > 0 && (
            <button type="button" class="btn" onClick={boards.loadMore}>
              Show more boards
            </button>
          )}
        </div>
      </section>
    </main>
  );
}

/** /user/:username/followers and /following: the people, each a link to their profile. */
export function PeoplePage(props: { username: string; list: 'followers' | 'following' }) {
  const { username, list } = props;
  const fetchPage = useCallback(
    (bookmark: string | null) => peoplePage(username, list, bookmark),
    [username, list],
  );
  const people = usePages<Person & { id: string }>(`${list}:${username}`, fetchPage);
  const title = list === 'followers' ? `People following ${username}` : `People ${username} follows`;
  useEffect(() => {
    document.title = `${title} · Corkboard`;
  }, [title]);
  const base = `/user/${encodeURIComponent(username)}`;
  return (
    <main class="page people-page" id="main">
      <p>
        <Link href={base}>← {username}</Link>
      </p>
      <h1>{title}</h1>
      <nav class="chips" aria-label="Lists">
        <Link
          href={`${base}/followers`}
          class="chip"
          aria-current={list === 'followers' ? 'page' : undefined}
        >
          Followers
        </Link>
        <Link
          href={`${base}/following`}
          class="chip"
          aria-current={list === 'following' ? 'page' : undefined}
        >
          Following
        </Link>
      </nav>
      {people.items.length > 0 && (
        <ul class="people" aria-label={title}>
          {people.items.map((p) => (
            <li key={p.username}>
              <span class="avatar" aria-hidden="true">
                {p.username.slice(0, 1).toUpperCase()}
              </span>
              <Link href={`/user/${encodeURIComponent(p.username)}`}>{p.username}</Link>
            </li>
          ))}
        </ul>
      )}
      <div class="list-status">
        {people.loading && <p class="muted">Loading…</p>}
        {!people.loading && !people.error && people.items.length === 0 && (
          <p class="muted">{list === 'followers' ? 'No followers yet.' : 'Not following anyone yet.'}</p>
        )}
        {people.error ? <ErrorMessage error={people.error} onRetry={people.retry} /> : null}
        {people.hasMore && !people.loading && (
          <button type="button" class="btn" onClick={people.loadMore}>
            Show more people
          </button>
        )}
      </div>
    </main>
  );
}
