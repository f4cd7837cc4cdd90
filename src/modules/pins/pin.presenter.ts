import type { Principal } from '../../platform/principal.js';
import type { CachedBoardAccess } from '../boards/index.js';
import type { ExperimentParams } from '../experiments/index.js';
import type { ImagesService } from './images.service.js';
import type { PinCopy } from './pin-store.js';
import type { PinImage, PinRow } from './pins.repository.js';

export type ServedSurface = 'HOME_FEED' | 'SEARCH' | 'RELATED' | 'BOARD' | 'PROFILE' | 'CLOSEUP';

/** What other modules add to pins as they are served (given by the product, see buildProduct). */
export interface PinServing {
  /** The impression tokens of the pins of a list served to `viewer` on `surface`, in order. */
  tokens(viewer: Principal, pinIds: string[], surface: ServedSurface, requestId: string): string[];
  /** `pin_metrics` of these pins (the caller checks they are the viewer's). */
  metrics(pinIds: string[]): Promise<Map<string, unknown>>;
}

/**
 * An item of a list that is not an organic pin (a promoted pin): shown as the pin it names, with its own
 * impression token in place of the organic one and its own members (JSON, e.g. `"is_promoted":true`)
 * after the pin's fields. It passes the same visibility rule as the organic items around it.
 */
export interface InsertedItem {
  readonly pinId: string;
  readonly token: string;
  readonly members: string;
}

/** The surfaces that may carry promoted pins. */
export type PromotedSurface = 'HOME_FEED' | 'RELATED' | 'SEARCH';

/** What a surface tells the ad server about the page it is serving. */
export interface PromotionContext {
  /** The search query (SEARCH). */
  readonly query?: string;
  /** The pin on screen (RELATED): its interests count as the viewer's. */
  readonly contextPinId?: string;
  /**
   * The viewer's experiment parameters when the surface resolved them for this request already (the
   * home feed does): the ad server reads its settings from them instead of resolving them again.
   */
  readonly experiments?: ExperimentParams;
  /**
   * The anonymous device an app-only caller names (X-Device-Id): the signed-out person the page is for,
   * whom experiments assign and ads may be shown to. Not read for a user's token.
   */
  readonly deviceId?: string;
  /**
   * The page's identity where the surface has one (the home feed: its session and offset): the same
   * page asked again shortly after keeps the auction it ran (see AdsServing).
   */
  readonly pageKey?: string;
}

/** An organic item of a page, as promotion sees it: the pin and who owns it. */
export interface OrganicItem {
  readonly pinId: string;
  readonly ownerId: string;
}

/**
 * Promoted pins laid into list pages (the ads module's ad server; given by the product). `fill` answers
 * the page in order, at most `room` items (the page size): a prefix of the organic items given, in their
 * order (the very same objects), and the promoted items inserted among them, each with its own impression
 * token (issued for its final position) and members; `organic` itself when it lays in none. The organic
 * items left out were displaced by ads: the surface's bookmark points at the first of them, so the next
 * page starts there.
 */
export interface Promotions {
  fill<O extends OrganicItem>(
    viewer: Principal,
    organic: readonly O[],
    context: PromotionContext,
    page: PromotedPage,
  ): Promise<readonly (O | InsertedItem)[]>;
}

/** The page promoted pins are laid into: where, which response, and how many items it holds at most. */
export interface PromotedPage {
  readonly surface: PromotedSurface;
  readonly requestId: string;
  readonly room: number;
}

/** Whether a page item of Promotions.fill is an inserted one (not one of the organic items given). */
export function isInserted(item: OrganicItem | InsertedItem): item is InsertedItem {
  return 'token' in item;
}

/**
 * A pin about to be written: its id and owner (so it is an OrganicItem as it is), its cached copy, its
 * board's access, and what was inserted, if it was.
 */
export interface ShownPin extends OrganicItem {
  readonly copy: PinCopy;
  readonly board: CachedBoardAccess;
  readonly inserted?: InsertedItem;
}

/** How a list is served: its surface (for impression tokens), `pin_metrics` of own pins, extra members. */
export interface ListServing {
  readonly requestId: string;
  readonly surface?: ServedSurface;
  readonly metrics?: boolean;
  /** JSON members (`"reason":"X"`) added to an organic pin, or ''. */
  readonly extra?: (pinId: string) => string;
  /** Promoted pins may be laid into the page (the surface must be HOME_FEED, RELATED or SEARCH). */
  readonly promote?: PromotionContext;
}

/** A pin in the v5 shape, as responses show it. */
export type PinView = ReturnType<typeof viewOf>;
/** What a pin view shows to every viewer: all but `board_owner` and `is_owner`. */
type CommonView = Omit<PinView, 'board_owner' | 'is_owner'>;

const TRUE = Buffer.from('true');
const FALSE = Buffer.from('false');
const PAGE_OPEN = Buffer.from('{"items":[');
const COMMA = Buffer.from(',');

function viewOf(images: ImagesService, viewer: Principal, pin: PinRow, pinImages: PinImage[]) {
  const pending = pinImages.some((i) => i.image.status === 'pending');
  const failed = pinImages.some((i) => i.image.status === 'failed');
  const media =
    pin.media_type === 'multiple_images'
      ? {
          media_type: 'multiple_images',
          items: pinImages.map((i) => ({
            item_type: 'image',
            images: images.sizes(i.image),
            title: i.title,
            description: i.description,
            link: i.link,
          })),
        }
      : { media_type: 'image', images: pinImages[0] ? images.sizes(pinImages[0].image) : {} };
  return {
    id: pin.id,
    created_at: new Date(pin.created_at).toISOString(),
    link: pin.link,
    title: pin.title,
    description: pin.description,
    alt_text: pin.alt_text,
    dominant_color: pin.dominant_color ?? pinImages[0]?.image.dominant_color ?? null,
    board_id: pin.board_id,
    board_section_id: pin.section_id,
    board_owner: { username: pin.board_owner_username },
    parent_pin_id: pin.parent_pin_id,
    is_owner: pin.owner_id === viewer.userId,
    is_standard: true,
    has_been_promoted: false,
    creative_type: 'REGULAR',
    media: { ...media, ...(pending ? { status: 'pending' } : failed ? { status: 'failed' } : {}) },
  };
}

/**
 * Bytes and text (written as UTF-8) joined in one Buffer allocated once: a page's small parts (tokens,
 * closing braces) are not each made a Buffer first, and the page is copied once.
 */
export function joinBytes(parts: readonly (Buffer | string)[]): Buffer {
  let size = 0;
  for (const part of parts) size += typeof part === 'string' ? Buffer.byteLength(part) : part.length;
  const out = Buffer.allocUnsafe(size);
  let at = 0;
  for (const part of parts) at += typeof part === 'string' ? out.write(part, at) : part.copy(out, at);
  return out;
}

/**
 * A paginated page (`{items, bookmark}`) of items already written as JSON, as bytes: Node writes a Buffer
 * as it is, where a string of the same 30 kB is measured and encoded again on the way out.
 */
export function writtenPage(
  items: readonly Buffer[],
  bookmark: string | null,
  extra: Record<string, unknown> = {},
): Buffer {
  const parts: (Buffer | string)[] = [PAGE_OPEN];
  items.forEach((item, i) => {
    if (i > 0) parts.push(COMMA);
    parts.push(item);
  });
  let more = '';
  for (const [key, value] of Object.entries(extra))
    more += `,${JSON.stringify(key)}:${JSON.stringify(value)}`;
  parts.push(`],"bookmark":${JSON.stringify(bookmark)}${more}}`);
  return joinBytes(parts);
}

/**
 * The one place that turns a pin into its v5 JSON: as an object (`view`, for the answers of writes) and as
 * bytes for reads. What a cached copy shows to every viewer is worked out once per copy (a copy is
 * replaced, not changed, when the pin changes) and kept as JSON bytes, so a list of hot pins is written by
 * copying bytes: no view object and no JSON.stringify per pin and request.
 */
export class PinPresenter {
  /** Per cached copy: what it shows to every viewer, and that as JSON bytes without the closing brace. */
  private readonly common = new WeakMap<PinCopy, { view: CommonView; bytes: Buffer }>();
  /** text()'s answers: per cached copy, per board access, [not owner, owner]. */
  private readonly texts = new WeakMap<
    PinCopy,
    WeakMap<CachedBoardAccess, [Buffer | undefined, Buffer | undefined]>
  >();
  /** The `board_owner` member and the start of `is_owner`, per board access. */
  private readonly owners = new WeakMap<CachedBoardAccess, Buffer>();

  constructor(
    private readonly images: ImagesService,
    private readonly serving: PinServing,
  ) {}

  /** How a pin read from the database looks in responses. */
  view(viewer: Principal, pin: PinRow, images: PinImage[]): PinView {
    return viewOf(this.images, viewer, pin, images);
  }

  /** How a cached pin looks in responses, as an object. */
  viewOf(viewer: Principal, { copy, board }: ShownPin): PinView {
    return {
      ...this.commonOf(viewer, copy, board).view,
      board_owner: { username: board.owner_username },
      is_owner: copy.pin.owner_id === viewer.userId,
    };
  }

  /** One pin as GET /v5/pins/{pin_id} sends it: the same bytes for every request of the same viewer kind. */
  text(viewer: Principal, { copy, board }: ShownPin): Buffer {
    let byBoard = this.texts.get(copy);
    if (!byBoard) {
      byBoard = new WeakMap();
      this.texts.set(copy, byBoard);
    }
    let texts = byBoard.get(board);
    if (!texts) {
      texts = [undefined, undefined];
      byBoard.set(board, texts);
    }
    const own = copy.pin.owner_id === viewer.userId ? 1 : 0;
    let text = texts[own];
    if (!text) {
      const common = this.commonOf(viewer, copy, board).bytes;
      text = joinBytes([common, this.ownerBytes(board), own ? TRUE : FALSE, '}']);
      texts[own] = text;
    }
    return text;
  }

  /**
   * The pins of a list, each written as JSON, in order: the pin as GET /v5/pins/{pin_id} shows it, then
   * `pin_metrics` (with `metrics`: the viewer's own pins' counts, others' null), its impression token for
   * the surface (an inserted item's own token), and the extra members (an inserted item's own members).
   */
  async write(viewer: Principal, pins: readonly ShownPin[], how: ListServing): Promise<Buffer[]> {
    if (pins.length === 0) return [];
    let metrics: Map<string, unknown> | undefined;
    if (how.metrics) {
      const own = pins.filter((p) => p.copy.pin.owner_id === viewer.userId).map((p) => p.copy.pin.id);
      metrics = own.length > 0 ? await this.serving.metrics(own) : new Map();
    }
    // Every position gets an organic token, so organic items keep their positions around inserted ones.
    const tokens = how.surface
      ? this.serving.tokens(
          viewer,
          pins.map((p) => p.copy.pin.id),
          how.surface,
          how.requestId,
        )
      : [];
    return pins.map((p, i) => {
      const { copy, board, inserted } = p;
      const parts: (Buffer | string)[] = [
        this.commonOf(viewer, copy, board).bytes,
        this.ownerBytes(board),
        copy.pin.owner_id === viewer.userId ? TRUE : FALSE,
      ];
      let tail = '';
      if (metrics) tail += `,"pin_metrics":${JSON.stringify(metrics.get(copy.pin.id) ?? null)}`;
      // Tokens are base64url text with an optional `.digit`: nothing to escape.
      const token = inserted ? inserted.token : tokens[i];
      if (token !== undefined) tail += `,"impression_token":"${token}"`;
      const extra = inserted ? inserted.members : how.extra?.(copy.pin.id);
      if (extra) tail += `,${extra}`;
      parts.push(`${tail}}`);
      return joinBytes(parts);
    });
  }

  /** What a cached copy shows to every viewer, and its JSON bytes; worked out once per copy. */
  private commonOf(viewer: Principal, copy: PinCopy, board: CachedBoardAccess) {
    let common = this.common.get(copy);
    if (!common) {
      const row: PinRow = {
        ...copy.pin,
        created_at: new Date(copy.pin.created_at),
        board_privacy: board.privacy,
        board_owner_id: board.owner_id,
        board_owner_username: board.owner_username,
      };
      const { board_owner: _o, is_owner: _i, ...view } = this.view(viewer, row, copy.images);
      common = { view, bytes: Buffer.from(JSON.stringify(view).slice(0, -1)) };
      this.common.set(copy, common);
    }
    return common;
  }

  /** The `board_owner` member of a served pin and the start of its `is_owner`. */
  private ownerBytes(board: CachedBoardAccess): Buffer {
    let bytes = this.owners.get(board);
    if (!bytes) {
      bytes = Buffer.from(`,"board_owner":${JSON.stringify({ username: board.owner_username })},"is_owner":`);
      this.owners.set(board, bytes);
    }
    return bytes;
  }
}
