import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vite';

// The web app's build: web/ in, web/dist out (served by the server at /, src/modules/web). Preact's JSX
// through Vite's own transform; no framework plugin is needed.
export default defineConfig({
  root: fileURLToPath(new URL('.', import.meta.url)),
  base: '/',
  publicDir: false,
  oxc: { jsx: { runtime: 'automatic', importSource: 'preact' } },
  build: {
    outDir: 'dist',
    emptyOutDir: true,
    target: 'es2022',
    sourcemap: true,
    reportCompressedSize: true,
  },
});
