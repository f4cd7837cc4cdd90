import { useCallback, useEffect, useState } from 'preact/hooks';
import { type BoardInfo, createBoard, moved, myBoardsPage, updateBoard } from '../../api/boards.js';
import { usePages } from '../../api/use-pages.js';
import { ErrorMessage } from '../../components/error-message.js';
import { navigate } from '../../router.js';
import { BoardGrid } from './board-grid.js';
import '../../styles/boards.css';
import { BoardFields } from './board-fields.js';

/** My boards: a grid with covers and counts, a form to create one, and the order (move up and down). */
export function MyBoardsPage() {
  const fetchPage = useCallback((bookmark: string | null) => myBoardsPage(bookmark), []);
  const list = usePages<BoardInfo>('my-boards', fetchPage);
  // The order as I set it here, over the list as read (moves are sent to the API and kept locally).
  const [order, setOrder] = useState<BoardInfo[]>([]);
  const [moveError, setMoveError] = useState<unknown>(null);
  const [announce, setAnnounce] = useState('');
  const [creating, setCreating] = useState(false);

  useEffect(() => {
    setOrder((old) => {
      const known = new Set(old.map((b) => b.id));
      return [...old, ...list.items.filter((b) => !known.has(b.id))];
    });
  }, [list.items]);

  const move = async (index: number, to: number) => {
    const board = order[index]!;
    const before = order;
    setOrder(moved(order, index, to));
    setMoveError(null);
    try {
      await updateBoard(board.id, { position: to });
      setAnnounce(`${board.name} moved to place ${to + 1} of ${before.length}.`);
      // Keep the focus on the button pressed, now on the board's new place.
      requestAnimationFrame(() => {
        const dir = to < index ? 'up' : 'down';
        const el =
          document.querySelector<HTMLButtonElement>(`[data-move="${board.id}-${dir}"]:not([disabled])`) ??
          document.querySelector<HTMLButtonElement>(`[data-move^="${board.id}-"]:not([disabled])`);
        el?.focus();
      });
    } catch (err) {
      setOrder(before);
      setMoveError(err);
    }
  };

  return (
    <main class="page boards-page" id="main">
      <div class="page-head">
        <h1>Your boards</h1>
        <button
          type="button"
          class="btn btn-primary"
          aria-expanded={creating}
          onClick={() => setCreating(!creating)}
        >
          Create board
        </button>
      </div>
      {creating && <CreateBoardForm onCancel={() => setCreating(false)} />}
      <p class="visually-hidden" role="status" aria-live="polite">
        {announce}
      </p>
      {moveError ? <ErrorMessage error={moveError} /> : null}
      {order.length > 0 && (
        <BoardGrid
          boards={order}
          label="Your boards"
          extra={(b, i) => (
            <div class="board-move">
              <button
                type="button"
                class="btn btn-small"
                data-move={`${b.id}-up`}
                aria-label={`Move up: ${b.name}`}
                disabled={i === 0}
                onClick={() => move(i, i - 1)}
              >
                <span aria-hidden="true">↑</span> Up
              </button>
              <button
                type="button"
                class="btn btn-small"
                data-move={`${b.id}-down`}
                aria-label={`Move down: ${b.name}`}
                disabled={i === order.length - 1}
                onClick={() => move(i, i + 1)}
              >
                <span aria-hidden="true">↓</span> Down
              </button>
            </div>
          )}
        />
      )}
      <div class="list-status">
        {list.loading && (
          <p class="muted" role="status">
            Loading boards…
          </p>
        )}
        {!list.loading && !list.error && order.length === 0 && (
          <p class="muted">You have no boards yet. Create one to save Pins to it.</p>
        )}
        {list.error ? <ErrorMessage error={list.error} onRetry={list.retry} /> : null}
        {list.hasMore && !list.loading && order.length > 0 && (
          <button type="button" class="btn" onClick={list.loadMore}>
            Show more boards
          </button>
        )}
      </div>
    </main>
  );
}

/** Name, description and secrecy of a new board; goes to the board once made. */
function CreateBoardForm(props: { onCancel: () => void }) {
  const [name, setName] = useState('');
  const [description, setDescription] = useState('');
  const [secret, setSecret] = useState(false);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<unknown>(null);
  return (
    <form
      class="card board-form"
      aria-labelledby="create-heading"
      onSubmit={async (e) => {
        e.preventDefault();
        setBusy(true);
        setError(null);
        try {
          const board = await createBoard({
            name: name.trim(),
            description: description.trim() || undefined,
            privacy: secret ? 'SECRET' : 'PUBLIC',
          });
          navigate(`/board/${board.id}`);
        } catch (err) {
          setError(err);
          setBusy(false);
        }
      }}
    >
      <h2 id="create-heading">Create a board</h2>
      {error ? <ErrorMessage error={error} /> : null}
      <BoardFields
        draft={{ name, description, secret }}
        descriptionLabel="Description (optional)"
        onChange={(c) => {
          if (c.name !== undefined) setName(c.name);
          if (c.description !== undefined) setDescription(c.description);
          if (c.secret !== undefined) setSecret(c.secret);
        }}
      />
      <div class="form-actions">
        <button type="submit" class="btn btn-primary" disabled={busy}>
          {busy ? 'Creating…' : 'Create'}
        </button>
        <button type="button" class="btn" onClick={props.onCancel}>
          Cancel
        </button>
      </div>
    </form>
  );
}
