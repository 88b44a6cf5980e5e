/// <reference types="vitest/config" />
// Vite builds the SPA into dist/, which the kindred server serves at `/` under a strict CSP
// (no inline scripts or styles), so nothing here may inline code into index.html.
// `npm run dev` proxies the API and the WebSocket to a running kindred (KINDRED_URL).
import { defineConfig } from 'vite';
import react from '@vitejs/plugin-react';

const target = process.env.KINDRED_URL ?? 'http://127.0.0.1:8080';

export default defineConfig({
  plugins: [react()],
  build: {
    outDir: 'dist',
    emptyOutDir: true,
    // The polyfill would be injected as a module into the entry chunk; every browser we
    // support has native modulepreload, so keep the bundle lean.
    modulePreload: { polyfill: false },
    // The libraries in a chunk of their own, so a new release of the app alone leaves the cached
    // library chunk valid. Pages load lazily, one chunk per area (src/routes/); the app's code
    // that the frame and more than one area use goes into one `shared` chunk, loaded with the
    // frame from index.html, rather than into a handful of tiny chunks.
    rolldownOptions: {
      output: {
        codeSplitting: {
          groups: [
            { name: 'vendor', test: /node_modules/ },
            { name: 'shared', test: /[\\/]src[\\/]/, minShareCount: 2 },
          ],
        },
      },
    },
  },
  server: {
    proxy: {
      '/api': { target, changeOrigin: false },
      '/healthz': { target },
      '/ws': { target: target.replace(/^http/, 'ws'), ws: true },
    },
  },
  test: {
    environment: 'node',
    include: ['src/**/*.test.ts'],
  },
});
