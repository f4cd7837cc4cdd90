import type { AppModule, ModuleDeps } from '../module.js';
import type { ProductServices } from '../product-services.js';

/** Media uploads (video in the spec): /v5/media and the upload endpoint behind `upload_url`. */
export function mediaModule(_deps: ModuleDeps, _product: ProductServices): AppModule {
  return { name: 'media' };
}
