import type { ComponentChildren } from 'preact';
import type { BoardInfo } from '../../api/boards.js';
import { Link } from '../../components/link.js';

/** Pins on a board, in words. */
export function pinCount(n: number): string {
  return n === 1 ? '1 Pin' : `${n} Pins`;
}

/** A lock drawn for secret boards, with its meaning in words for screen readers. */
export function SecretMark() {
  return (
    <span class="secret-mark" title="Secret board">
      <svg aria-hidden="true" viewBox="0 0 16 16" width="14" height="14">
        <path
          fill="currentColor"
          d="M4 7V5a4 4 0 1 1 8 0v2h1a1 1 0 0 1 1 1v6a1 1 0 0 1-1 1H3a1 1 0 0 1-1-1V8a1 1 0 0 1 1-1h1Zm2 0h4V5a2 2 0 1 0-4 0v2Z"
        />
      </svg>
      <span class="visually-hidden">Secret board</span>
    </span>
  );
}

/** A grid of boards: cover picture, name (a link to the board), pin count, secret mark; `extra` below each. */
export function BoardGrid(props: {
  boards: BoardInfo[];
  label: string;
  extra?: (board: BoardInfo, index: number) => ComponentChildren;
}) {
  return (
    <ul class="board-grid" aria-label={props.label}>
      {props.boards.map((b, i) => {
        const thumbs = b.media?.pin_thumbnail_urls ?? [];
        const cover = b.media?.image_cover_url ?? thumbs[0];
        return (
          <li key={b.id} class="board-card">
            <Link href={`/board/${b.id}`} class="board-card-link">
              <div class="board-cover" aria-hidden="true">
                {cover ? <img src={cover} alt="" loading="lazy" /> : <span class="board-cover-empty" />}
                <div class="board-cover-side">
                  {thumbs.slice(1, 3).map((t) => (
                    <img key={t} src={t} alt="" loading="lazy" />
                  ))}
                </div>
              </div>
              <h2 class="board-name">
                {b.name}
                {b.privacy === 'SECRET' && <SecretMark />}
              </h2>
            </Link>
            <p class="muted board-count">{pinCount(b.pin_count)}</p>
            {props.extra?.(b, i)}
          </li>
        );
      })}
    </ul>
  );
}
