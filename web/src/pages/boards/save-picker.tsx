import { useEffect, useRef, useState } from 'preact/hooks';
import {
  allMyBoards,
  type BoardInfo,
  createBoard,
  type Section,
  savePin,
  sectionsOf,
} from '../../api/boards.js';
import { ErrorMessage } from '../../components/error-message.js';
import { Link } from '../../components/link.js';
import '../../styles/boards.css';

interface Choice {
  board: BoardInfo;
  sections: Section[];
}

/** The close-up's Save button and its picker: my boards and their sections, or a new board. */
export function SaveButton(props: { pinId: string }) {
  const dialog = useRef<HTMLDialogElement>(null);
  const [open, setOpen] = useState(false);
  const [saved, setSaved] = useState<{ id: string; name: string; section?: string } | null>(null);
  const close = () => {
    dialog.current?.close();
    setOpen(false);
  };
  return (
    <div class="save-area">
      <button
        type="button"
        class="btn btn-primary"
        aria-haspopup="dialog"
        onClick={() => {
          setSaved(null);
          setOpen(true);
          dialog.current?.showModal();
        }}
      >
        Save
      </button>
      <p role="status" class="save-confirm">
        {saved && (
          <>
            Saved to <Link href={`/board/${saved.id}`}>{saved.name}</Link>
            {saved.section ? ` (${saved.section})` : ''}
          </>
        )}
      </p>
      <dialog
        ref={dialog}
        class="save-dialog card"
        aria-labelledby="save-heading"
        onClose={() => setOpen(false)}
      >
        {open && (
          <SavePicker
            pinId={props.pinId}
            onSaved={(s) => {
              setSaved(s);
              close();
            }}
            onCancel={close}
          />
        )}
      </dialog>
    </div>
  );
}

function SavePicker(props: {
  pinId: string;
  onSaved: (s: { id: string; name: string; section?: string }) => void;
  onCancel: () => void;
}) {
  const [choices, setChoices] = useState<Choice[] | null>(null);
  const [error, setError] = useState<unknown>(null);
  const [attempt, setAttempt] = useState(0);
  const [busy, setBusy] = useState(false);
  const [name, setName] = useState('');
  const [secret, setSecret] = useState(false);

  useEffect(() => {
    let live = true;
    setError(null);
    allMyBoards()
      .then((boards) =>
        Promise.all(boards.map(async (board) => ({ board, sections: await sectionsOf(board.id) }))),
      )
      .then(
        (c) => live && setChoices(c),
        (err: unknown) => live && setError(err),
      );
    return () => {
      live = false;
    };
  }, [attempt]);

  const save = async (board: { id: string; name: string }, section?: Section) => {
    setBusy(true);
    setError(null);
    try {
      await savePin(props.pinId, board.id, section?.id ?? null);
      props.onSaved({ id: board.id, name: board.name, section: section?.name });
    } catch (err) {
      setError(err);
    } finally {
      setBusy(false);
    }
  };

  return (
    <div class="save-picker">
      <div class="save-head">
        <h2 id="save-heading">Save to a board</h2>
        <button type="button" class="btn" onClick={props.onCancel}>
          Close
        </button>
      </div>
      {error ? (
        <ErrorMessage error={error} onRetry={choices ? undefined : () => setAttempt((a) => a + 1)} />
      ) : null}
      {!choices && !error && (
        <p class="muted" role="status">
          Loading your boards…
        </p>
      )}
      {choices && choices.length === 0 && <p class="muted">You have no boards yet: create one below.</p>}
      {choices && choices.length > 0 && (
        <ul class="save-boards" aria-label="Your boards">
          {choices.map(({ board, sections }) => (
            <li key={board.id}>
              <button type="button" class="save-choice" disabled={busy} onClick={() => save(board)}>
                <span>{board.name}</span>
                {board.privacy === 'SECRET' && <span class="tag">Secret</span>}
              </button>
              {sections.length > 0 && (
                <ul class="save-sections" aria-label={`Sections of ${board.name}`}>
                  {sections.map((s) => (
                    <li key={s.id}>
                      <button
                        type="button"
                        class="save-choice save-section"
                        disabled={busy}
                        onClick={() => save(board, s)}
                      >
                        <span class="visually-hidden">{board.name}, section </span>
                        {s.name}
                      </button>
                    </li>
                  ))}
                </ul>
              )}
            </li>
          ))}
        </ul>
      )}
      <form
        class="save-create"
        onSubmit={async (e) => {
          e.preventDefault();
          if (!name.trim()) return;
          setBusy(true);
          setError(null);
          try {
            const board = await createBoard({ name: name.trim(), privacy: secret ? 'SECRET' : 'PUBLIC' });
            await save(board);
          } catch (err) {
            setError(err);
            setBusy(false);
          }
        }}
      >
        <h3>Create a board</h3>
        <label class="field">
          <span>Board name</span>
          <input
            type="text"
            required
            maxLength={180}
            value={name}
            onInput={(e) => setName(e.currentTarget.value)}
          />
        </label>
        <label class="check">
          <input type="checkbox" checked={secret} onChange={(e) => setSecret(e.currentTarget.checked)} />
          Keep this board secret
        </label>
        <button type="submit" class="btn btn-primary" disabled={busy}>
          Create and save
        </button>
      </form>
    </div>
  );
}
