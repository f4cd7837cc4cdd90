import type { AppModule } from './module.js';

/** Every product module, in registration order. */
export const modules: readonly AppModule[] = [];
