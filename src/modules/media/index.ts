import type { AppModule, ModuleDeps } from '../module.js';
import type { ProductServices } from '../product-services.js';
import { mediaRoutes, mediaUploadRoutes } from './media.routes.js';
import { MediaService } from './media.service.js';

export { MediaService, type MediaView } from './media.service.js';
export { readUpload, type StoredMedia } from './media.storage.js';

/** The default cap on one upload (a config setting later). */
export const DEFAULT_MAX_UPLOAD_BYTES = 512 * 1024 * 1024;

export interface MediaModuleOptions {
  /** The largest upload accepted, in bytes (default DEFAULT_MAX_UPLOAD_BYTES). */
  maxUploadBytes?: number;
}

/**
 * Media uploads (video in the spec): POST/GET /v5/media, GET /v5/media/{media_id}, and the upload endpoint
 * behind `upload_url`, POST /v5/media/{media_id}/upload (an extension: a multipart form authorised by the
 * single-use token in `upload_parameters`). Files are checked to be MP4/MOV/WebM/Matroska by their first
 * bytes and stored under `media/<id>/` in the blob store; nothing is transcoded yet, so an upload goes
 * `registered` -> `processing` (while it arrives) -> `succeeded` or `failed`.
 *
 * Video Pins are not built yet: creating a Pin from `media_source.source_type: video_id` answers 400
 * (the pins module refuses it) even for a succeeded upload.
 */
export function mediaModule(
  deps: ModuleDeps,
  _product: ProductServices,
  options: MediaModuleOptions = {},
): AppModule {
  return mediaModuleWith({ maxUploadBytes: deps.config.videoMaxBytes, ...options }, deps);
}

/**
 * The media module built from the dependencies the app hands its routes (or `deps` when given), so a
 * test can run it with its own options: `startTestApp({ modules: [mediaModuleWith({ maxUploadBytes })] })`.
 */
export function mediaModuleWith(options: MediaModuleOptions = {}, deps?: ModuleDeps): AppModule {
  const maxUploadBytes = options.maxUploadBytes ?? DEFAULT_MAX_UPLOAD_BYTES;
  return {
    name: 'media',
    routes: async (app, appDeps) => {
      const d = deps ?? appDeps;
      const media = new MediaService(d.db, d.ids, d.bookmarks, d.blobs, d.log, {
        publicUrl: d.config.publicUrl,
        maxUploadBytes,
      });
      mediaRoutes(app, media);
      await mediaUploadRoutes(app, media, maxUploadBytes);
    },
  };
}
