import { useEffect, useRef, useState } from 'preact/hooks';
import { ApiError } from '../../api/client.js';
import {
  createBoard,
  createPin,
  getPin,
  type MediaSource,
  myBoards,
  type NewPin,
  type Section,
  sectionsOf,
} from '../../api/create.js';
import { rememberPin } from '../../api/pin-cache.js';
import type { Board } from '../../api/types.js';
import { ErrorMessage } from '../../components/error-message.js';
import { navigate } from '../../router.js';
import { fileProblem, formatBytes, sniffType, toBase64, urlProblem } from './validate.js';
import '../../styles/create.css';

/** How often the new pin is asked whether its picture is ready. */
const POLL_MS = 400;
/** How long to wait for processing before saying it is taking long (the pin exists; it will finish). */
const PROCESSING_PATIENCE_MS = 60_000;

type Phase =
  | { step: 'form' }
  | { step: 'uploading'; sent: number; total: number }
  | { step: 'fetching' }
  | { step: 'processing'; pinId: string };

/**
 * Create a pin: a picture (dropped, chosen with the file button, or an image's address), a board (and
 * section) of the person's, title, description, link and alt text. Shows the upload's progress, then
 * waits while the picture is processed, then opens the new pin's close-up.
 */
export function CreatePage() {
  const [file, setFile] = useState<File | null>(null);
  const [preview, setPreview] = useState<string | null>(null);
  const [imageUrl, setImageUrl] = useState('');
  const [dragging, setDragging] = useState(false);
  const [boards, setBoards] = useState<Board[] | null>(null);
  const [boardsError, setBoardsError] = useState<unknown>(null);
  const [boardId, setBoardId] = useState('');
  const [sections, setSections] = useState<Section[]>([]);
  const [sectionId, setSectionId] = useState('');
  const [newBoard, setNewBoard] = useState<string | null>(null);
  const [title, setTitle] = useState('');
  const [description, setDescription] = useState('');
  const [link, setLink] = useState('');
  const [altText, setAltText] = useState('');
  const [problem, setProblem] = useState<string | null>(null);
  const [error, setError] = useState<unknown>(null);
  const [phase, setPhase] = useState<Phase>({ step: 'form' });
  const [slow, setSlow] = useState(false);
  const fileInput = useRef<HTMLInputElement>(null);
  const live = useRef(true);
  useEffect(
    () => () => {
      live.current = false;
    },
    [],
  );

  const loadBoards = () => {
    setBoardsError(null);
    myBoards().then(
      (list) => {
        if (!live.current) return;
        setBoards(list);
        if (list.length === 0) setNewBoard('');
        else setBoardId((id) => id || list[0]!.id);
      },
      (err: unknown) => live.current && setBoardsError(err),
    );
  };
  useEffect(loadBoards, []);

  useEffect(() => {
    setSections([]);
    setSectionId('');
    if (!boardId) return;
    let current = true;
    sectionsOf(boardId).then(
      (list) => current && setSections(list),
      () => undefined, // Without its sections the pin goes on the board itself.
    );
    return () => {
      current = false;
    };
  }, [boardId]);

  // The chosen file's preview, drawn from memory (the page's CSP allows blob: pictures).
  useEffect(() => {
    if (!file) return setPreview(null);
    const url = URL.createObjectURL(file);
    setPreview(url);
    return () => URL.revokeObjectURL(url);
  }, [file]);

  const choose = (f: File | undefined) => {
    setError(null);
    if (!f) return;
    const why = fileProblem(f);
    setProblem(why ?? null);
    if (why) return;
    setFile(f);
    setImageUrl('');
  };

  const busy = phase.step !== 'form';

  const submit = async (e: Event) => {
    e.preventDefault();
    setError(null);
    setProblem(null);
    let media: MediaSource;
    if (file) {
      const bytes = new Uint8Array(await file.arrayBuffer());
      const type = sniffType(bytes);
      if (!type) {
        setProblem(`“${file.name}” is not a JPEG or PNG picture. Choose a JPEG or PNG picture.`);
        return;
      }
      media = { source_type: 'image_base64', content_type: type, data: toBase64(bytes) };
    } else if (imageUrl.trim()) {
      const why = urlProblem(imageUrl, 'image address');
      if (why) return setProblem(why);
      media = { source_type: 'image_url', url: imageUrl.trim() };
    } else {
      setProblem('Add a picture: drop one here, choose a file, or give an image’s web address.');
      return;
    }
    if (link.trim()) {
      const why = urlProblem(link, 'link');
      if (why) return setProblem(why);
    }

    try {
      let board = boardId;
      if (newBoard !== null) {
        if (!newBoard.trim()) return setProblem('Give the new board a name, or pick one of your boards.');
        setPhase({ step: 'fetching' });
        const made = await createBoard(newBoard.trim());
        board = made.id;
        setBoards((list) => [...(list ?? []), made]);
        setBoardId(made.id);
        setNewBoard(null);
      }
      setPhase(
        media.source_type === 'image_url' ? { step: 'fetching' } : { step: 'uploading', sent: 0, total: 1 },
      );
      const pin = await createPin(
        {
          board_id: board,
          ...(sectionId && { board_section_id: sectionId }),
          ...(title.trim() && { title: title.trim() }),
          ...(description.trim() && { description: description.trim() }),
          ...(link.trim() && { link: link.trim() }),
          ...(altText.trim() && { alt_text: altText.trim() }),
        },
        media,
        (sent, total) => {
          if (live.current && media.source_type === 'image_base64')
            setPhase({ step: 'uploading', sent, total });
        },
      );
      if (!live.current) return;
      setPhase({ step: 'processing', pinId: pin.id });
      const ready = await untilProcessed(
        pin,
        () => live.current,
        () => setSlow(true),
      );
      if (!ready || !live.current) return;
      if (ready.media?.status === 'failed') {
        setPhase({ step: 'form' });
        setError(
          new Error(
            'The Pin was made, but its picture could not be processed. Try another picture, or this one again.',
          ),
        );
        return;
      }
      rememberPin(ready);
      navigate(`/pin/${ready.id}`);
    } catch (err) {
      if (!live.current) return;
      setPhase({ step: 'form' });
      setError(readable(err));
    }
  };

  return (
    <main class="page create-page" id="main">
      <h1 class="create-heading">Create a Pin</h1>
      <form class="create-form card" onSubmit={submit} aria-describedby="create-status" noValidate>
        <div class="create-picture">
          {/* Dropping a file anywhere in the zone picks it; the file button does the same by keyboard. */}
          {/* biome-ignore lint/a11y/noStaticElementInteractions: a drop target; the file input inside is its keyboard way. */}
          <div
            class={`dropzone${dragging ? ' dragging' : ''}${preview || imageUrl ? ' has-picture' : ''}`}
            onDragOver={(e) => {
              e.preventDefault();
              if (!busy) setDragging(true);
            }}
            onDragLeave={() => setDragging(false)}
            onDrop={(e) => {
              e.preventDefault();
              setDragging(false);
              if (!busy) choose(e.dataTransfer?.files[0]);
            }}
          >
            {preview || (imageUrl && !urlProblem(imageUrl, '')) ? (
              <img
                class="create-preview"
                src={preview ?? imageUrl.trim()}
                alt={altText.trim() || 'Preview of the new Pin'}
              />
            ) : (
              <p class="dropzone-hint">
                <span class="dropzone-icon" aria-hidden="true">
                  ⬆
                </span>
                Drag and drop a picture here
                <span class="muted">JPEG or PNG, up to 10 MB</span>
              </p>
            )}
            <input
              ref={fileInput}
              id="create-file"
              class="file-input"
              type="file"
              accept="image/png,image/jpeg"
              disabled={busy}
              onChange={(e) => {
                choose(e.currentTarget.files?.[0]);
                e.currentTarget.value = '';
              }}
            />
            <label for="create-file" class="btn">
              {file ? 'Choose another picture' : 'Choose a picture'}
            </label>
            {file && (
              <p class="muted create-file-name">
                {file.name} · {formatBytes(file.size)}
              </p>
            )}
          </div>
          <div class="field">
            <label for="create-url">Or the web address of an image</label>
            <input
              id="create-url"
              type="url"
              inputMode="url"
              placeholder="https://"
              value={imageUrl}
              disabled={busy}
              onInput={(e) => {
                setImageUrl(e.currentTarget.value);
                if (e.currentTarget.value) setFile(null);
                setProblem(null);
              }}
            />
          </div>
        </div>

        <div class="create-fields">
          <BoardPicker
            boards={boards}
            error={boardsError}
            onRetry={loadBoards}
            boardId={boardId}
            onBoard={setBoardId}
            sections={sections}
            sectionId={sectionId}
            onSection={setSectionId}
            newBoard={newBoard}
            onNewBoard={setNewBoard}
            disabled={busy}
          />
          <TextField
            id="create-title"
            label="Title"
            value={title}
            onInput={setTitle}
            max={100}
            disabled={busy}
          />
          <div class="field">
            <label for="create-description">Description</label>
            <textarea
              id="create-description"
              rows={3}
              maxLength={800}
              value={description}
              disabled={busy}
              onInput={(e) => setDescription(e.currentTarget.value)}
            />
          </div>
          <TextField
            id="create-link"
            label="Link"
            inputMode="url"
            value={link}
            onInput={setLink}
            max={2048}
            disabled={busy}
            placeholder="https://"
          />
          <TextField
            id="create-alt"
            label="Alt text (describes the picture for people who cannot see it)"
            value={altText}
            onInput={setAltText}
            max={500}
            disabled={busy}
          />

          <div id="create-status" class="create-status" role="status" aria-live="polite">
            <Progress phase={phase} slow={slow} />
            {problem && <p class="notice">{problem}</p>}
          </div>
          {error ? <ErrorMessage error={error} /> : null}
          <div class="actions">
            <button type="submit" class="btn btn-primary" disabled={busy || boards === null}>
              {busy ? 'Publishing…' : 'Publish'}
            </button>
          </div>
        </div>
      </form>
    </main>
  );
}

/** The API names the field it refuses (`media_source.url: ...`); the page names the picture. */
function readable(err: unknown): unknown {
  if (!(err instanceof ApiError)) return err;
  const message = err.message.replace(/^media_source\.(url|data): /, 'The picture could not be used: ');
  if (err.status === 413) return new ApiError(413, err.code, `The picture is too large. ${message}`);
  return new ApiError(err.status, err.code, message);
}

/** The pin once its picture is processed (or failed); undefined if the page was left meanwhile. */
async function untilProcessed(
  pin: NewPin,
  alive: () => boolean,
  onSlow: () => void,
): Promise<NewPin | undefined> {
  const started = Date.now();
  let current = pin;
  while (current.media?.status === 'pending') {
    await new Promise((r) => setTimeout(r, POLL_MS));
    if (!alive()) return undefined;
    if (Date.now() - started > PROCESSING_PATIENCE_MS) onSlow();
    current = await getPin(pin.id);
  }
  return current;
}

function Progress(props: { phase: Phase; slow: boolean }) {
  const { phase } = props;
  if (phase.step === 'uploading') {
    const pct = Math.min(100, Math.round((phase.sent / Math.max(1, phase.total)) * 100));
    return (
      <div class="create-progress">
        <label class="create-progress-label" for="create-progress-bar">
          Uploading the picture… {pct}% ({formatBytes(phase.sent)} of {formatBytes(phase.total)})
        </label>
        <progress id="create-progress-bar" max={100} value={pct} />
      </div>
    );
  }
  if (phase.step === 'fetching' || phase.step === 'processing') {
    const text =
      phase.step === 'fetching'
        ? 'Getting the picture…'
        : props.slow
          ? 'Still processing the picture. It is taking longer than usual; the Pin is saved and will appear when it is ready.'
          : 'Processing the picture…';
    return (
      <div class="create-progress">
        <label class="create-progress-label" for="create-progress-bar">
          {text}
        </label>
        <progress id="create-progress-bar" />
      </div>
    );
  }
  return null;
}

function TextField(props: {
  id: string;
  label: string;
  value: string;
  onInput: (v: string) => void;
  max: number;
  disabled: boolean;
  inputMode?: 'url';
  placeholder?: string;
}) {
  return (
    <div class="field">
      <label for={props.id}>{props.label}</label>
      <input
        id={props.id}
        type="text"
        inputMode={props.inputMode}
        maxLength={props.max}
        value={props.value}
        disabled={props.disabled}
        placeholder={props.placeholder}
        onInput={(e) => props.onInput(e.currentTarget.value)}
      />
    </div>
  );
}

/** One of the person's boards and, when it has sections, one of them; or the name of a new board. */
function BoardPicker(props: {
  boards: Board[] | null;
  error: unknown;
  onRetry: () => void;
  boardId: string;
  onBoard: (id: string) => void;
  sections: Section[];
  sectionId: string;
  onSection: (id: string) => void;
  newBoard: string | null;
  onNewBoard: (name: string | null) => void;
  disabled: boolean;
}) {
  const { boards, newBoard } = props;
  if (props.error) return <ErrorMessage error={props.error} onRetry={props.onRetry} />;
  if (boards === null) {
    return (
      <p class="muted" role="status">
        Loading your boards…
      </p>
    );
  }
  if (newBoard !== null) {
    return (
      <div class="field">
        <label for="create-new-board">Name of a new board</label>
        <input
          id="create-new-board"
          maxLength={180}
          value={newBoard}
          disabled={props.disabled}
          placeholder="e.g. Weeknight dinners"
          onInput={(e) => props.onNewBoard(e.currentTarget.value)}
        />
        {boards.length > 0 ? (
          <button type="button" class="btn btn-link create-switch" onClick={() => props.onNewBoard(null)}>
            Pick one of your boards instead
          </button>
        ) : (
          <p class="muted create-hint">You have no boards yet: this Pin starts your first one.</p>
        )}
      </div>
    );
  }
  return (
    <>
      <div class="field">
        <label for="create-board">Board</label>
        <select
          id="create-board"
          value={props.boardId}
          disabled={props.disabled}
          onChange={(e) => props.onBoard(e.currentTarget.value)}
        >
          {boards.map((b) => (
            <option key={b.id} value={b.id}>
              {b.name}
            </option>
          ))}
        </select>
        <button type="button" class="btn btn-link create-switch" onClick={() => props.onNewBoard('')}>
          Make a new board instead
        </button>
      </div>
      {props.sections.length > 0 && (
        <div class="field">
          <label for="create-section">Section</label>
          <select
            id="create-section"
            value={props.sectionId}
            disabled={props.disabled}
            onChange={(e) => props.onSection(e.currentTarget.value)}
          >
            <option value="">No section (the board itself)</option>
            {props.sections.map((s) => (
              <option key={s.id} value={s.id}>
                {s.name}
              </option>
            ))}
          </select>
        </div>
      )}
    </>
  );
}
