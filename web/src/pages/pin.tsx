import { useCallback, useEffect, useState } from 'preact/hooks';
import { api, query } from '../api/client.js';
import { cachedPin } from '../api/pin-cache.js';
import { linkHost, naturalSize, pickImage, placeholderColor, safeLink } from '../api/pins.js';
import type { Board, FeedPin, Page, Pin } from '../api/types.js';
import { usePages } from '../api/use-pages.js';
import { ErrorMessage } from '../components/error-message.js';
import { Link } from '../components/link.js';
import { PinList } from '../components/pin-list.js';
import { events, servedWith } from '../events/reporter.js';
import { SaveButton } from './boards/save-picker.js';

/** Widest the close-up's picture is drawn, in CSS pixels. */
const CLOSEUP_WIDTH = 508;

/** The close-up of one pin: large picture, title, description, link out, board and owner, related pins. */
export function PinPage(props: { pinId: string }) {
  const { pinId } = props;
  const [pin, setPin] = useState<Pin | null>(() => cachedPin(pinId) ?? null);
  const [board, setBoard] = useState<Board | null>(null);
  const [error, setError] = useState<unknown>(null);
  const [attempt, setAttempt] = useState(0);

  useEffect(() => {
    let live = true;
    setBoard(null);
    setError(null);
    api<Pin>(`/v5/pins/${pinId}`).then(
      (p) => {
        if (!live) return;
        setPin(p);
        document.title = `${p.title || 'Pin'} · Corkboard`;
        api<Board>(`/v5/boards/${p.board_id}`).then(
          (b) => live && setBoard(b),
          () => undefined, // The pin shows without its board's name.
        );
      },
      (err: unknown) => live && setError(err),
    );
    return () => {
      live = false;
    };
  }, [pinId, attempt]);

  const fetchRelated = useCallback(
    (bookmark: string | null) =>
      api<Page<FeedPin>>(`/v5/pins/${pinId}/related${query({ page_size: 25, bookmark })}`),
    [pinId],
  );
  const related = usePages(`related:${pinId}`, fetchRelated);

  if (error) {
    return (
      <main class="page" id="main">
        <h1 class="visually-hidden">Pin</h1>
        <ErrorMessage error={error} onRetry={() => setAttempt((a) => a + 1)} />
      </main>
    );
  }
  return (
    <main class="page" id="main">
      {pin ? (
        <CloseUp pin={pin} board={board} />
      ) : (
        // Holds the close-up's place while it loads, so the related pins below do not jump as much.
        <div class="closeup card closeup-placeholder">
          <p role="status" class="muted closeup-loading">
            Loading Pin…
          </p>
        </div>
      )}
      <section class="related" aria-labelledby="related-heading">
        <h2 id="related-heading">More like this</h2>
        <PinList list={related} surface="RELATED" label="Related Pins" empty="No related Pins yet." />
      </section>
    </main>
  );
}

function CloseUp(props: { pin: Pin; board: Board | null }) {
  const { pin, board } = props;
  const size = naturalSize(pin);
  const image = pickImage(pin, CLOSEUP_WIDTH);
  const link = safeLink(pin);
  const owner = pin.board_owner?.username ?? board?.owner.username;
  const served = servedWith(pin.id);
  return (
    <article class="closeup card" aria-labelledby="pin-title">
      <div
        class="closeup-picture"
        style={{ aspectRatio: `${size.width} / ${size.height}`, background: placeholderColor(pin) }}
      >
        {image && <img src={image.url} alt={pin.alt_text ?? ''} width={size.width} height={size.height} />}
      </div>
      <div class="closeup-text">
        <SaveButton pinId={pin.id} />
        {link && (
          <a
            class="btn btn-primary closeup-visit"
            href={link}
            target="_blank"
            rel="noopener noreferrer"
            onClick={() => {
              if (served) events.click('OUTBOUND_CLICK', served);
            }}
          >
            Visit {linkHost(link)}
            <span class="visually-hidden"> (opens in a new tab)</span>
          </a>
        )}
        <h1 id="pin-title">{pin.title || 'Untitled Pin'}</h1>
        {pin.description && <p class="closeup-description">{pin.description}</p>}
        <dl class="closeup-meta">
          {owner && (
            <>
              <dt>Saved by</dt>
              <dd>
                <span class="avatar" aria-hidden="true">
                  {owner.slice(0, 1).toUpperCase()}
                </span>
                <Link href={`/user/${encodeURIComponent(owner)}`}>{owner}</Link>
              </dd>
            </>
          )}
          {board && (
            <>
              <dt>Board</dt>
              <dd>
                <Link href={`/board/${board.id}`}>{board.name}</Link>
              </dd>
            </>
          )}
        </dl>
      </div>
    </article>
  );
}
