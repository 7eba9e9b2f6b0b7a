import react from '@vitejs/plugin-react';
import { defineConfig } from 'vite';

/**
 * The console builds to `dist/`, which the manager serves at `/`. `npm run dev -w @d7y/console` serves it
 * with hot reload and proxies the API to a manager on `D7Y_MANAGER` (default http://127.0.0.1:8080).
 */
export default defineConfig({
  plugins: [react()],
  build: { outDir: 'dist', emptyOutDir: true, sourcemap: false, assetsInlineLimit: 0 },
  server: {
    proxy: {
      '/api': process.env.D7Y_MANAGER ?? 'http://127.0.0.1:8080',
      '/oapi': process.env.D7Y_MANAGER ?? 'http://127.0.0.1:8080',
    },
  },
});
