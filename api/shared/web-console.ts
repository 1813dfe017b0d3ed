/**
 * The web console (web/, built by Vite into dist/web) served at /: its files as they are, and index.html for
 * the console's own routes (/orders, /top-up, …) so a reload or a bookmark opens the right page. The API's
 * paths are never shadowed: a miss under them stays the API's JSON 404.
 */
import fs from 'node:fs';
import path from 'node:path';
import express, { type RequestHandler } from 'express';
import { projectRoot } from '../../config/paths';

/** Where `vite build -c web/vite.config.ts` writes the console. */
export const WEB_CONSOLE_DIR = path.join(projectRoot(), 'dist', 'web');

/** Paths that belong to the API, not to the console. */
const API_PATHS = /^\/(v1|healthz|readyz|openapi\.json|docs|metrics)(\/|$)/;

/** The console's middleware (plain middleware, not routes: the OpenAPI document lists only the API). */
export function webConsole(dir: string = WEB_CONSOLE_DIR): RequestHandler[] {
  const index = path.join(dir, 'index.html');
  const files = express.static(dir, {
    index: false,
    setHeaders(res, file) {
      // Vite names the built assets by their content hash, so they never change under one name.
      res.setHeader('Cache-Control', file.includes(`${path.sep}assets${path.sep}`) ? 'public, max-age=31536000, immutable' : 'no-cache');
    },
  });
  const serveFiles: RequestHandler = (req, res, next) => (API_PATHS.test(req.path) ? next() : files(req, res, next));
  const indexFallback: RequestHandler = (req, res, next) => {
    const isPage = (req.method === 'GET' || req.method === 'HEAD') && !API_PATHS.test(req.path) && !path.extname(req.path);
    if (!isPage) return next();
    // The Content-Security-Policy and nosniff come with every answer (security-headers.ts).
    res.set('Cache-Control', 'no-cache');
    if (!fs.existsSync(index)) {
      res.status(503).type('text').send(`The web console is not built (${index} is missing). npm start and npm test build it; or run: npx vite build -c web/vite.config.ts\n`);
      return;
    }
    res.sendFile(index);
  };
  return [serveFiles, indexFallback];
}
