import { timingSafeEqual } from 'node:crypto';
import type { Bookmarks } from '../../platform/bookmarks.js';
import type { Db } from '../../platform/db/database.js';
import {
  Conflict,
  DomainError,
  Forbidden,
  NotFound,
  PayloadTooLarge,
  RateLimited,
} from '../../platform/errors.js';
import { type IdGenerator, isIdOfType } from '../../platform/ids.js';
import type { BlobStore } from '../../platform/images/blob-store.js';
import type { Logger } from '../../platform/logger.js';
import type { Principal } from '../../platform/principal.js';
import { newToken, tokenHash } from '../../platform/secrets-hash.js';
import { type MediaRow, type MediaStatus, mediaRepository as repo } from './media.repository.js';
import { mediaPrefix, storeUpload } from './media.storage.js';

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
  /** Bytes one person may hold in uploads no pin has used (config.mediaQuotaBytes). */
  quotaBytes: number;
  /** Registrations one person may have waiting for their file (config.mediaPendingMax). */
  pendingMax: number;
  /** An unused upload is deleted this long after its last change (config.mediaUnusedTtlMs). */
  unusedTtlMs: number;
}

/** Uploads deleted per transaction by expireUnused. */
const EXPIRE_BATCH = 100;

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
    await this.db.transaction().execute(async (trx) => {
      // Under the owner's lock, so two registrations at once cannot both take the last place.
      await repo.lockOwner(trx, viewer.userId);
      const pending = await repo.pending(trx, viewer.userId, this.unusedSince());
      if (pending.count >= this.options.pendingMax) {
        // The oldest waiting registration expires first, freeing a place.
        const freeAt = (pending.oldest?.getTime() ?? Date.now()) + this.options.unusedTtlMs;
        throw new RateLimited(
          `You have ${pending.count} media uploads waiting for their file (the limit is ` +
            `${this.options.pendingMax}): upload those first, or wait for unused ones to expire.`,
          Math.max(1, Math.ceil((freeAt - Date.now()) / 1000)),
        );
      }
      await repo.insert(trx, {
        id,
        user_id: viewer.userId,
        media_type: mediaType,
        upload_token_hash: tokenHash(token),
      });
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
    if (row.status !== 'registered') {
      throw new Conflict('This upload token has already been used: register a new media upload.');
    }
    // A full quota refuses before the token is spent, so the registration can be used once room is made.
    const held = await repo.unusedBytes(this.db, row.user_id, this.unusedSince(), mediaId);
    if (held >= this.options.quotaBytes) throw this.overQuota();
    if (!(await repo.claim(this.db, mediaId, hash))) {
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
      const row = await repo.byId(this.db, mediaId);
      if (!row) throw notFound();
      const { maxUploadBytes, quotaBytes } = this.options;
      // Stop reading at whichever comes first, the per-file cap or the room left in the quota.
      const room = quotaBytes - (await repo.unusedBytes(this.db, row.user_id, this.unusedSince(), mediaId));
      const cap = Math.max(0, Math.min(maxUploadBytes, room));
      const stored = await storeUpload(
        this.blobs,
        mediaId,
        file,
        cap,
        truncated,
        room < maxUploadBytes ? () => this.overQuota() : undefined,
      );
      try {
        await this.db.transaction().execute(async (trx) => {
          // Again under the owner's lock: uploads that finished meanwhile count too.
          await repo.lockOwner(trx, row.user_id);
          const held = await repo.unusedBytes(trx, row.user_id, this.unusedSince(), mediaId);
          if (held + stored.bytes > quotaBytes) throw this.overQuota();
          await repo.succeed(trx, mediaId, stored);
        });
      } catch (err) {
        await this.blobs.delete(mediaPrefix(mediaId));
        throw err;
      }
    } catch (err) {
      const reason = err instanceof DomainError ? err.message : 'The upload could not be stored.';
      if (!(err instanceof DomainError)) this.log.error({ mediaId, err }, 'media upload failed');
      await repo.fail(this.db, mediaId, reason);
      throw err;
    }
  }

  /**
   * Marks a succeeded upload of the person as used by a pin, in the caller's transaction: from then on it
   * no longer counts against the quota and never expires. False when there is no such upload (unknown,
   * someone else's, not succeeded, already used, or expired and deleted). Video Pins will call this.
   */
  markUsed(trx: Db, mediaId: string, userId: string): Promise<boolean> {
    return repo.markUsed(trx, mediaId, userId);
  }

  /**
   * Deletes, with their blobs, the uploads no pin has used that have not changed for unusedTtlMs as of
   * `now`: registrations never uploaded, failed ones, and stored files never pinned. Blobs go before the
   * rows, in the transaction that locks them, so a crash leaves a row to sweep again and never an orphan
   * file; a pin that takes an upload meanwhile waits on the lock and then finds it gone. Returns how many.
   */
  async expireUnused(now = new Date()): Promise<number> {
    const cutoff = new Date(now.getTime() - this.options.unusedTtlMs);
    const processingCutoff = new Date(now.getTime() - Math.max(this.options.unusedTtlMs, STALE_UPLOAD_MS));
    let total = 0;
    for (;;) {
      const ids = await this.db.transaction().execute(async (trx) => {
        const locked = await repo.lockExpired(trx, cutoff, processingCutoff, EXPIRE_BATCH);
        for (const id of locked) await this.blobs.delete(mediaPrefix(id));
        await repo.deleteMany(trx, locked);
        return locked;
      });
      total += ids.length;
      if (ids.length < EXPIRE_BATCH) break;
    }
    if (total > 0) this.log.info({ uploads: total }, 'expired unused media uploads');
    return total;
  }

  /** Uploads last changed before this have expired: the quota no longer counts them. */
  private unusedSince(): Date {
    return new Date(Date.now() - this.options.unusedTtlMs);
  }

  private overQuota(): PayloadTooLarge {
    return new PayloadTooLarge(
      `Your media uploads that no pin uses yet would exceed your quota of ${this.options.quotaBytes} ` +
        'bytes: pin or wait for unused uploads to expire, then register a new upload.',
    );
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
