import { defineConfig } from 'vite';
import { fileURLToPath } from 'node:url';

// Preact's automatic JSX runtime through Vite's own transformer: no Babel preset needed.
export default defineConfig({
  root: fileURLToPath(new URL('.', import.meta.url)),
  base: './',
  oxc: { jsx: { runtime: 'automatic', importSource: 'preact' } },
  build: { outDir: 'dist', emptyOutDir: true, target: 'es2022', sourcemap: true, chunkSizeWarningLimit: 200 },
  server: { port: 5173, strictPort: true, host: '127.0.0.1' },
  // `npm run dev:web` talks to the local stack on port 3000 (CORS allows 5173); override with VITE_API_URL.
  define: { __DEV_API_URL__: JSON.stringify(process.env.VITE_API_URL ?? 'http://127.0.0.1:3000') },
});
