import { timingSafeEqual } from 'node:crypto';
import type { Principal } from '../../http/auth.js';
import type { Bookmarks } from '../../http/pagination.js';
import type { Db } from '../../platform/db/database.js';
import { Conflict, DomainError, Forbidden, NotFound } from '../../platform/errors.js';
import { type IdGenerator, isIdOfType } from '../../platform/ids.js';
import type { BlobStore } from '../../platform/images/blob-store.js';
import type { Logger } from '../../platform/logger.js';
import { newToken, tokenHash } from '../../platform/secrets-hash.js';
import { type MediaRow, type MediaStatus, mediaRepository as repo } from './media.repository.js';
import { storeUpload } from './media.storage.js';

/** Our statuses as the spec's MediaUploadStatus enum names them (the same four words today). */
const SPEC_STATUS: Record<MediaStatus, 'registered' | 'processing' | 'succeeded' | 'failed'> = {
  registered: 'registered',
  processing: 'processing',
  succeeded: 'succeeded',
  failed: 'failed',
};

/** The form field that carries the upload token, in `upload_parameters` and in the upload form. */
export const UPLOAD_TOKEN_FIELD = 'upload_token';

/** How a media upload looks in responses (the spec's Media). */
export function mediaView(row: Pick<MediaRow, 'id' | 'media_type' | 'status'>) {
  return { media_id: row.id, media_type: row.media_type, status: SPEC_STATUS[row.status] };
}
export type MediaView = ReturnType<typeof mediaView>;

export interface MediaServiceOptions {
  /** Absolute base of the upload URLs handed out (config.publicUrl). */
  publicUrl: string;
  /** The largest upload accepted, in bytes. */
  maxUploadBytes: number;
}

/** Media uploads: registration, the token-authorised upload, and the owner's reads. */
export class MediaService {
  constructor(
    private readonly db: Db,
    private readonly ids: IdGenerator,
    private readonly bookmarks: Bookmarks,
    private readonly blobs: BlobStore,
    private readonly log: Logger,
    private readonly options: MediaServiceOptions,
  ) {}

  /** Registers an upload and hands out where and how to send the file, with a single-use token. */
  async register(viewer: Principal, mediaType: 'video') {
    const id = await this.ids.next('media');
    const token = newToken('pinu_');
    await repo.insert(this.db, {
      id,
      user_id: viewer.userId,
      media_type: mediaType,
      upload_token_hash: tokenHash(token),
    });
    return {
      media_id: id,
      media_type: mediaType,
      upload_url: `${this.options.publicUrl}/v5/media/${id}/upload`,
      upload_parameters: { 'Content-Type': 'multipart/form-data', [UPLOAD_TOKEN_FIELD]: token },
    };
  }

  /** The viewer's uploads, newest first. */
  async list(viewer: Principal, pageSize: number, bookmark?: string) {
    await repo.failStale(this.db, viewer.userId, STALE_UPLOAD_MS);
    const scope = `media:${viewer.userId}`;
    const after = bookmark ? this.bookmarks.decode(scope, bookmark) : undefined;
    const rows = await repo.listByUser(
      this.db,
      viewer.userId,
      after ? [String(after[0]), String(after[1])] : undefined,
      pageSize + 1,
    );
    return this.bookmarks.page(scope, rows, pageSize, (last) => [last.created_key, last.id], mediaView);
  }

  /** One of the viewer's uploads; anyone else's is NotFound. */
  async get(viewer: Principal, mediaId: string): Promise<MediaView> {
    if (!isIdOfType(mediaId, 'media')) throw notFound();
    await repo.failStale(this.db, viewer.userId, STALE_UPLOAD_MS);
    const row = await repo.byId(this.db, mediaId);
    if (!row || row.user_id !== viewer.userId) throw notFound();
    return mediaView(row);
  }

  /**
   * Checks the upload token and spends it, moving the upload to `processing`. Unknown upload: NotFound;
   * wrong or missing token: Forbidden; token already spent: Conflict.
   */
  async beginUpload(mediaId: string, token: string | undefined): Promise<void> {
    const row = isIdOfType(mediaId, 'media') ? await repo.byId(this.db, mediaId) : undefined;
    if (!row) throw notFound();
    const hash = token ? tokenHash(token) : '';
    if (!sameHash(hash, row.upload_token_hash)) {
      throw new Forbidden(`Not authorized: send this upload's ${UPLOAD_TOKEN_FIELD} from upload_parameters.`);
    }
    if (row.status !== 'registered' || !(await repo.claim(this.db, mediaId, hash))) {
      throw new Conflict('This upload token has already been used: register a new media upload.');
    }
  }

  /**
   * Receives the file of an upload begun with beginUpload, at most maxUploadBytes, and settles its
   * status: `succeeded` once stored (there is no transcoding yet, so processing ends at once), or
   * `failed` with the reason, which is also thrown (Invalid for a non-video, PayloadTooLarge).
   */
  async receive(mediaId: string, file: AsyncIterable<Buffer>, truncated?: () => boolean): Promise<void> {
    try {
      const stored = await storeUpload(this.blobs, mediaId, file, this.options.maxUploadBytes, truncated);
      await repo.succeed(this.db, mediaId, stored);
    } catch (err) {
      const reason = err instanceof DomainError ? err.message : 'The upload could not be stored.';
      if (!(err instanceof DomainError)) this.log.error({ mediaId, err }, 'media upload failed');
      await repo.fail(this.db, mediaId, reason);
      throw err;
    }
  }
}

/**
 * An upload still `processing` this long after it began has lost its process (a crash mid-upload):
 * reads of the owner's uploads mark it failed, so its status does not stay `processing` forever.
 */
export const STALE_UPLOAD_MS = 6 * 3600 * 1000;

function sameHash(a: string, b: string): boolean {
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.length === y.length && timingSafeEqual(x, y);
}

function notFound(): NotFound {
  return new NotFound('Media upload not found.', 404);
}
