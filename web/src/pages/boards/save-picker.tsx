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

/** Boards whose sections are read at a time, in the list's order, once the boards are shown. */
const SECTION_READS = 4;

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
  const [choices, setChoices] = useState<BoardInfo[] | null>(null);
  /** Each board's sections, as they arrive (a board whose sections could not be read has none shown). */
  const [sections, setSections] = useState<ReadonlyMap<string, Section[]>>(new Map());
  const [error, setError] = useState<unknown>(null);
  const [attempt, setAttempt] = useState(0);
  const [busy, setBusy] = useState(false);
  const [name, setName] = useState('');
  const [secret, setSecret] = useState(false);

  useEffect(() => {
    let live = true;
    setError(null);
    allMyBoards().then(
      (boards) => {
        if (!live) return;
        // The boards at once; their sections after, a few boards at a time (not one request per board at
        // once, which a person with hundreds of boards would feel, and the rate limits would refuse).
        setChoices(boards);
        let next = 0;
        const reader = async () => {
          while (live && next < boards.length) {
            const board = boards[next++]!;
            const found = await sectionsOf(board.id).catch(() => []);
            if (live && found.length > 0) setSections((m) => new Map(m).set(board.id, found));
          }
        };
        for (let i = 0; i < SECTION_READS; i++) void reader();
      },
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
          {choices.map((board) => (
            <li key={board.id}>
              <button type="button" class="save-choice" disabled={busy} onClick={() => save(board)}>
                <span>{board.name}</span>
                {board.privacy === 'SECRET' && <span class="tag">Secret</span>}
              </button>
              {sections.has(board.id) && (
                <ul class="save-sections" aria-label={`Sections of ${board.name}`}>
                  {sections.get(board.id)!.map((s) => (
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
