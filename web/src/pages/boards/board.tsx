import { useCallback, useEffect, useRef, useState } from 'preact/hooks';
import {
  type BoardInfo,
  boardPinsPage,
  createSection,
  deleteBoard,
  deleteSection,
  followBoard,
  followsBoard,
  getBoard,
  myUsername,
  renameSection,
  type Section,
  sectionsOf,
  unfollowBoard,
  updateBoard,
} from '../../api/boards.js';
import { usePages } from '../../api/use-pages.js';
import { ErrorMessage } from '../../components/error-message.js';
import { Link } from '../../components/link.js';
import { PinList } from '../../components/pin-list.js';
import { navigate } from '../../router.js';
import { pinCount, SecretMark } from './board-grid.js';
import '../../styles/boards.css';
import { BoardFields } from './board-fields.js';

/** One board: its name, owner, sections (as filters) and pins; its owner edits it here. */
export function BoardPage(props: { boardId: string }) {
  const { boardId } = props;
  const [board, setBoard] = useState<BoardInfo | null>(null);
  const [sections, setSections] = useState<Section[]>([]);
  const [me, setMe] = useState<string | undefined>(undefined);
  const [error, setError] = useState<unknown>(null);
  const [attempt, setAttempt] = useState(0);
  const [section, setSection] = useState<string | null>(null);

  useEffect(() => {
    let live = true;
    setError(null);
    Promise.all([getBoard(boardId), sectionsOf(boardId), myUsername()]).then(
      ([b, s, m]) => {
        if (!live) return;
        setBoard(b);
        setSections(s);
        setMe(m);
        document.title = `${b.name} · Corkboard`;
      },
      (err: unknown) => live && setError(err),
    );
    return () => {
      live = false;
    };
  }, [boardId, attempt]);

  if (error) {
    return (
      <main class="page" id="main">
        <h1>Board</h1>
        <ErrorMessage error={error} onRetry={() => setAttempt((a) => a + 1)} />
      </main>
    );
  }
  if (!board) {
    return (
      <main class="page" id="main" aria-busy="true">
        <p class="loading" role="status">
          Loading board…
        </p>
      </main>
    );
  }
  const mine = me === board.owner.username;
  const current = sections.find((s) => s.id === section) ?? null;
  return (
    <main class="page board-page" id="main">
      <BoardHeader board={board} mine={mine} onChanged={setBoard} />
      <Sections
        board={board}
        sections={sections}
        current={current}
        mine={mine}
        onSelect={setSection}
        onChanged={setSections}
      />
      <BoardPins boardId={board.id} section={current} count={board.pin_count} />
    </main>
  );
}

function BoardHeader(props: { board: BoardInfo; mine: boolean; onChanged: (b: BoardInfo) => void }) {
  const { board, mine } = props;
  const [editing, setEditing] = useState(false);
  const [deleting, setDeleting] = useState(false);
  const deleteButton = useRef<HTMLButtonElement>(null);
  return (
    <header class="board-head">
      <h1>
        {board.name}
        {board.privacy === 'SECRET' && <SecretMark />}
      </h1>
      {board.description && <p class="board-description">{board.description}</p>}
      <p class="muted">
        By <Link href={`/user/${encodeURIComponent(board.owner.username)}`}>{board.owner.username}</Link> ·{' '}
        {pinCount(board.pin_count)}
        {board.follower_count > 0 &&
          ` · ${board.follower_count} follower${board.follower_count === 1 ? '' : 's'}`}
      </p>
      <div class="board-actions">
        {mine ? (
          <>
            <button type="button" class="btn" aria-expanded={editing} onClick={() => setEditing(!editing)}>
              Edit board
            </button>
            <button
              type="button"
              class="btn"
              ref={deleteButton}
              aria-expanded={deleting}
              onClick={() => setDeleting(!deleting)}
            >
              Delete board
            </button>
          </>
        ) : (
          <FollowBoard boardId={board.id} name={board.name} />
        )}
      </div>
      {editing && (
        <EditBoard
          board={board}
          onDone={(b) => {
            setEditing(false);
            if (b) props.onChanged(b);
          }}
        />
      )}
      {deleting && (
        <DeleteBoard
          board={board}
          onCancel={() => {
            setDeleting(false);
            deleteButton.current?.focus();
          }}
        />
      )}
    </header>
  );
}

function FollowBoard(props: { boardId: string; name: string }) {
  const [following, setFollowing] = useState<boolean | null>(null);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<unknown>(null);
  useEffect(() => {
    let live = true;
    followsBoard(props.boardId).then(
      (r) => live && setFollowing(r.following),
      (err: unknown) => live && setError(err),
    );
    return () => {
      live = false;
    };
  }, [props.boardId]);
  if (error) return <ErrorMessage error={error} />;
  if (following === null) return null;
  return (
    <button
      type="button"
      class={following ? 'btn' : 'btn btn-primary'}
      aria-pressed={following}
      disabled={busy}
      onClick={async () => {
        setBusy(true);
        try {
          if (following) await unfollowBoard(props.boardId);
          else await followBoard(props.boardId);
          setFollowing(!following);
        } catch (err) {
          setError(err);
        } finally {
          setBusy(false);
        }
      }}
    >
      {following ? 'Following board' : 'Follow board'}
    </button>
  );
}

function EditBoard(props: { board: BoardInfo; onDone: (b?: BoardInfo) => void }) {
  const { board } = props;
  const [name, setName] = useState(board.name);
  const [description, setDescription] = useState(board.description ?? '');
  const [secret, setSecret] = useState(board.privacy === 'SECRET');
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<unknown>(null);
  return (
    <form
      class="card board-form"
      aria-labelledby="edit-heading"
      onSubmit={async (e) => {
        e.preventDefault();
        setBusy(true);
        setError(null);
        try {
          props.onDone(
            await updateBoard(board.id, {
              name: name.trim(),
              description: description.trim() || null,
              privacy: secret ? 'SECRET' : 'PUBLIC',
            }),
          );
        } catch (err) {
          setError(err);
          setBusy(false);
        }
      }}
    >
      <h2 id="edit-heading">Edit board</h2>
      {error ? <ErrorMessage error={error} /> : null}
      <BoardFields
        draft={{ name, description, secret }}
        descriptionLabel="Description"
        onChange={(c) => {
          if (c.name !== undefined) setName(c.name);
          if (c.description !== undefined) setDescription(c.description);
          if (c.secret !== undefined) setSecret(c.secret);
        }}
      />
      <div class="form-actions">
        <button type="submit" class="btn btn-primary" disabled={busy}>
          {busy ? 'Saving…' : 'Save changes'}
        </button>
        <button type="button" class="btn" onClick={() => props.onDone()}>
          Cancel
        </button>
      </div>
    </form>
  );
}

/** The question before a board is deleted; it takes the focus, so a screen reader reads it out. */
function DeleteBoard(props: { board: BoardInfo; onCancel: () => void }) {
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<unknown>(null);
  const heading = useRef<HTMLHeadingElement>(null);
  useEffect(() => heading.current?.focus(), []);
  return (
    <section class="card board-form confirm" aria-labelledby="delete-heading">
      <h2 id="delete-heading" tabIndex={-1} ref={heading}>
        Delete “{props.board.name}”?
      </h2>
      <p>Its {pinCount(props.board.pin_count)} and sections are deleted with it. This cannot be undone.</p>
      {error ? <ErrorMessage error={error} /> : null}
      <div class="form-actions">
        <button
          type="button"
          class="btn btn-danger"
          disabled={busy}
          onClick={async () => {
            setBusy(true);
            try {
              await deleteBoard(props.board.id);
              navigate('/boards', true);
            } catch (err) {
              setError(err);
              setBusy(false);
            }
          }}
        >
          {busy ? 'Deleting…' : 'Yes, delete board'}
        </button>
        <button type="button" class="btn" onClick={props.onCancel}>
          Cancel
        </button>
      </div>
    </section>
  );
}

function Sections(props: {
  board: BoardInfo;
  sections: Section[];
  current: Section | null;
  mine: boolean;
  onSelect: (id: string | null) => void;
  onChanged: (s: Section[]) => void;
}) {
  const { board, sections, current, mine } = props;
  const [mode, setMode] = useState<'add' | 'rename' | null>(null);
  const [name, setName] = useState('');
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<unknown>(null);
  if (!mine && sections.length === 0) return null;

  const run = async (work: () => Promise<void>) => {
    setBusy(true);
    setError(null);
    try {
      await work();
      setMode(null);
      setName('');
    } catch (err) {
      setError(err);
    } finally {
      setBusy(false);
    }
  };

  return (
    <section class="sections" aria-labelledby="sections-heading">
      <h2 id="sections-heading" class="visually-hidden">
        Sections
      </h2>
      <fieldset class="chips">
        <legend class="visually-hidden">Show Pins of</legend>
        <button
          type="button"
          class="chip"
          aria-pressed={current === null}
          onClick={() => props.onSelect(null)}
        >
          All Pins
        </button>
        {sections.map((s) => (
          <button
            type="button"
            key={s.id}
            class="chip"
            aria-pressed={current?.id === s.id}
            onClick={() => props.onSelect(s.id)}
          >
            {s.name}
          </button>
        ))}
      </fieldset>
      {mine && (
        <div class="section-tools">
          <button
            type="button"
            class="btn btn-small"
            aria-expanded={mode === 'add'}
            onClick={() => {
              setMode(mode === 'add' ? null : 'add');
              setName('');
            }}
          >
            Add section
          </button>
          {current && (
            <>
              <button
                type="button"
                class="btn btn-small"
                aria-expanded={mode === 'rename'}
                onClick={() => {
                  setMode(mode === 'rename' ? null : 'rename');
                  setName(current.name);
                }}
              >
                Rename section<span class="visually-hidden"> {current.name}</span>
              </button>
              <button
                type="button"
                class="btn btn-small"
                disabled={busy}
                onClick={() =>
                  run(async () => {
                    await deleteSection(board.id, current.id);
                    props.onChanged(sections.filter((s) => s.id !== current.id));
                    props.onSelect(null);
                  })
                }
              >
                Delete section
                <span class="visually-hidden"> {current.name} (its Pins stay on the board)</span>
              </button>
            </>
          )}
        </div>
      )}
      {error ? <ErrorMessage error={error} /> : null}
      {mode && (
        <form
          class="section-form"
          onSubmit={(e) => {
            e.preventDefault();
            const n = name.trim();
            if (!n) return;
            run(async () => {
              if (mode === 'add') {
                const s = await createSection(board.id, n);
                props.onChanged([...sections, s]);
                props.onSelect(s.id);
              } else if (current) {
                const s = await renameSection(board.id, current.id, n);
                props.onChanged(sections.map((x) => (x.id === s.id ? s : x)));
              }
            });
          }}
        >
          <label class="field">
            <span>{mode === 'add' ? 'New section name' : 'Section name'}</span>
            <input
              type="text"
              required
              maxLength={180}
              value={name}
              onInput={(e) => setName(e.currentTarget.value)}
            />
          </label>
          <button type="submit" class="btn btn-primary" disabled={busy}>
            {mode === 'add' ? 'Add' : 'Rename'}
          </button>
        </form>
      )}
    </section>
  );
}

function BoardPins(props: { boardId: string; section: Section | null; count: number }) {
  const { boardId, section } = props;
  const sectionId = section?.id ?? null;
  const fetchPage = useCallback(
    (bookmark: string | null) => boardPinsPage(boardId, sectionId, bookmark),
    [boardId, sectionId],
  );
  const list = usePages(`board:${boardId}:${sectionId ?? 'all'}`, fetchPage);
  return (
    <section class="board-pins" aria-label={section ? `Pins in ${section.name}` : 'Pins on this board'}>
      <PinList
        list={list}
        surface="BOARD"
        label={section ? `Pins in ${section.name}` : 'Pins on this board'}
        empty={section ? 'No Pins in this section yet.' : 'No Pins on this board yet.'}
      />
    </section>
  );
}
