import { defineConfig } from 'vite';
import { fileURLToPath } from 'node:url';

// Preact's automatic JSX runtime through Vite's own transformer: no Babel preset needed.
export default defineConfig(({ command }) => ({
  root: fileURLToPath(new URL('.', import.meta.url)),
  base: './',
  oxc: { jsx: { runtime: 'automatic', importSource: 'preact' } },
  build: { outDir: 'dist', emptyOutDir: true, target: 'es2022', sourcemap: true, chunkSizeWarningLimit: 200 },
  server: { port: 5173, strictPort: true, host: '127.0.0.1' },
  define: {
    // A build reads config.json next to index.html (the local stack and CloudFront serve it there);
    // `npm run dev:web` asks the local stack on port 3000 (CORS allows 5173), or VITE_API_URL.
    __CONFIG_URL__: JSON.stringify(command === 'serve' ? `${process.env.VITE_API_URL ?? 'http://127.0.0.1:3000'}/config.json` : './config.json'),
  },
}));
