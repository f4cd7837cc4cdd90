import type { AppModule, ModuleDeps } from '../module.js';
import type { ProductServices } from '../product-services.js';
import { mediaRoutes, mediaUploadRoutes } from './media.routes.js';
import { MediaService } from './media.service.js';

export { MediaService, type MediaView } from './media.service.js';
export { readUpload, type StoredMedia } from './media.storage.js';

/** The default cap on one upload (config.videoMaxBytes when built by the app). */
export const DEFAULT_MAX_UPLOAD_BYTES = 512 * 1024 * 1024;

export interface MediaModuleOptions {
  /** The largest upload accepted, in bytes (default: config.videoMaxBytes). */
  maxUploadBytes?: number;
  /** Bytes one person may hold in unused uploads (default: config.mediaQuotaBytes). */
  quotaBytes?: number;
  /** Registrations one person may have waiting for a file (default: config.mediaPendingMax). */
  pendingMax?: number;
  /** How long an unused upload lives after its last change (default: config.mediaUnusedTtlMs). */
  unusedTtlMs?: number;
}

/** How often the expiry sweep runs: a quarter of the lifetime, between one and fifteen minutes. */
function sweepEveryMs(ttlMs: number): number {
  return Math.min(15 * 60_000, Math.max(60_000, Math.floor(ttlMs / 4)));
}

/**
 * Media uploads (video in the spec): POST/GET /v5/media, GET /v5/media/{media_id}, and the upload endpoint
 * behind `upload_url`, POST /v5/media/{media_id}/upload (an extension: a multipart form authorised by the
 * single-use token in `upload_parameters`). Files are checked to be MP4/MOV (whole: top-level boxes add up)
 * or WebM/Matroska (by their first bytes) and stored under `media/<id>/` in the blob store; nothing is
 * transcoded yet, so an upload goes `registered` -> `processing` (while it arrives) -> `succeeded` or
 * `failed`. Each person has a quota of bytes in uploads no pin has used and of registrations waiting for
 * a file; the periodic `media.expire` task deletes unused uploads, blobs and all, after a while.
 *
 * Video Pins are not built yet: creating a Pin from `media_source.source_type: video_id` answers 400
 * (the pins module refuses it) even for a succeeded upload; `MediaService.markUsed` is their hook.
 */
export function mediaModule(
  deps: ModuleDeps,
  _product: ProductServices,
  options: MediaModuleOptions = {},
): AppModule {
  return mediaModuleWith(options, deps);
}

/**
 * The media module built from the dependencies the app hands its routes (or `deps` when given), so a
 * test can run it with its own options: `startTestApp({ modules: [mediaModuleWith({ maxUploadBytes })] })`.
 */
export function mediaModuleWith(options: MediaModuleOptions = {}, deps?: ModuleDeps): AppModule {
  let built: { deps: ModuleDeps; service: MediaService; maxUploadBytes: number; ttlMs: number } | undefined;
  // One service per set of dependencies, shared by the routes and the periodic task.
  const serviceFor = (appDeps: ModuleDeps) => {
    const d = deps ?? appDeps;
    if (built?.deps === d) return built;
    const maxUploadBytes = options.maxUploadBytes ?? d.config.videoMaxBytes ?? DEFAULT_MAX_UPLOAD_BYTES;
    const ttlMs = options.unusedTtlMs ?? d.config.mediaUnusedTtlMs;
    const service = new MediaService(d.db, d.ids, d.bookmarks, d.blobs, d.log, {
      publicUrl: d.config.publicUrl,
      maxUploadBytes,
      quotaBytes: options.quotaBytes ?? d.config.mediaQuotaBytes,
      pendingMax: options.pendingMax ?? d.config.mediaPendingMax,
      unusedTtlMs: ttlMs,
    });
    built = { deps: d, service, maxUploadBytes, ttlMs };
    return built;
  };
  return {
    name: 'media',
    routes: async (app, appDeps) => {
      const { service, maxUploadBytes } = serviceFor(appDeps);
      mediaRoutes(app, service);
      await mediaUploadRoutes(app, service, maxUploadBytes);
    },
    periodic: (appDeps) => {
      const { service, ttlMs } = serviceFor(appDeps);
      return [{ name: 'media.expire', everyMs: sweepEveryMs(ttlMs), run: () => service.expireUnused() }];
    },
  };
}
