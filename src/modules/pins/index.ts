import type { AppModule } from '../module.js';
import type { ImagesService } from './images.service.js';
import type { PinStore } from './pin-store.js';
import { imageFileRoutes, pinsRoutes } from './pins.routes.js';
import type { PinsService } from './pins.service.js';

export { ImagesService, storeVariants } from './images.service.js';
export {
  type InsertedItem,
  isInserted,
  type OrganicItem,
  type PinServing,
  type PinView,
  type PromotedPage,
  type PromotedSurface,
  type PromotionContext,
  type Promotions,
  type ServedSurface,
  writtenPage,
} from './pin.presenter.js';
export { PinStore } from './pin-store.js';
export { Pin, PinPage } from './pins.schemas.js';
export { type ListOptions, PinsService } from './pins.service.js';

/** Pins, their images (processed by jobs) and the image files: /v5/pins..., /v5/boards/{id}/pins, /media/images. */
export function pinsModule(pins: PinsService, images: ImagesService, store: PinStore): AppModule {
  return {
    name: 'pins',
    routes(app, deps) {
      // Up to five base64 images (4/3 of their bytes) plus the rest of the body.
      const createBodyLimit = Math.ceil((deps.config.imageMaxBytes * 4) / 3) * 5 + 64 * 1024;
      pinsRoutes(app, pins, createBodyLimit);
      imageFileRoutes(app, deps.blobs);
    },
    consumers: () => [images.consumer(), images.cleanupConsumer(), store.imagesReadyConsumer()],
  };
}
