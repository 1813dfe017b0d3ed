/**
 * Builds the web console: plain TypeScript modules from web/src into dist/web, which the API serves at /.
 * `npm run web:dev` serves it with hot reload and forwards the API's paths to `npm start`'s API on :3000.
 */
import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vite';

const api = process.env.TOPUP_API_URL ?? 'http://localhost:3000';

export default defineConfig({
  root: fileURLToPath(new URL('.', import.meta.url)),
  base: '/',
  build: {
    outDir: fileURLToPath(new URL('../dist/web', import.meta.url)),
    emptyOutDir: true,
    target: 'es2022',
    sourcemap: true,
  },
  server: { proxy: { '/v1': api, '/healthz': api } },
});
