/**
 * The OpenAPI document: it validates as OpenAPI 3.1, it names exactly the routes Express serves (walked from
 * the app's router stack), its request schemas are the zod schemas the routes parse, and the docs page lists
 * every operation without loading anything from elsewhere.
 */
import SwaggerParser from '@apidevtools/swagger-parser';
import type { Express } from 'express';
import request from 'supertest';
import { useTestApi } from '../helpers/api';

const api = useTestApi();

interface Layer {
  route?: { path: string; methods: Record<string, boolean> };
  handle?: { stack?: Layer[] };
  rawPath?: unknown;
}

/** `METHOD /path/{param}` for every route of a router stack, mounted routers included. */
function servedRoutes(stack: Layer[], prefix = ''): string[] {
  return stack.flatMap((layer) => {
    if (layer.route) {
      const path = `${prefix}${layer.route.path}`.replace(/\/$/, '').replace(/:(\w+)/g, '{$1}');
      return Object.keys(layer.route.methods)
        .filter((m) => m !== '_all')
        .map((m) => `${m.toUpperCase()} ${path}`);
    }
    if (layer.handle?.stack) return servedRoutes(layer.handle.stack, typeof layer.rawPath === 'string' && layer.rawPath !== '/' ? `${prefix}${layer.rawPath}` : prefix);
    return [];
  });
}

type Document = { openapi: string; paths: Record<string, Record<string, { operationId: string; responses: Record<string, unknown> }>>; components: { schemas: Record<string, { required?: string[] }> } };

async function fetchDocument(): Promise<Document> {
  const res = await request(api.app).get('/openapi.json');
  expect(res.status).toBe(200);
  expect(res.headers['content-type']).toMatch(/^application\/json/);
  return res.body as Document;
}

function documentedRoutes(doc: Document): string[] {
  return Object.entries(doc.paths).flatMap(([path, ops]) => Object.keys(ops).map((m) => `${m.toUpperCase()} ${path}`));
}

test('When the document is fetched, then it validates as OpenAPI 3.1', async () => {
  const doc = await fetchDocument();
  expect(doc.openapi).toBe('3.1.0');
  // A clone: the validator dereferences in place. Its parameter type is openapi-types', which this test does not import.
  await expect(SwaggerParser.validate(structuredClone(doc) as never)).resolves.toBeDefined();
});

test('When the routes Express serves are walked, then each one is in the document and the document names no other', async () => {
  const doc = await fetchDocument();
  const router = (api.app as Express & { router: { stack: Layer[] } }).router;
  const served = [...new Set(servedRoutes(router.stack))].sort();
  expect(served).toEqual(expect.arrayContaining(['GET /v1/balance', 'POST /v1/usage', 'DELETE /v1/orders/{orderNumber}', 'GET /v1/review/orders', 'GET /healthz']));
  expect(documentedRoutes(doc).sort()).toEqual(served);
});

test('When an operation is read, then it has an id, a success answer, the common error shape and the schemas the routes parse', async () => {
  const doc = await fetchDocument();
  const ids = Object.values(doc.paths).flatMap((ops) => Object.values(ops).map((op) => op.operationId));
  expect(new Set(ids).size).toBe(ids.length);
  for (const ops of Object.values(doc.paths)) {
    for (const op of Object.values(ops)) {
      expect(Object.keys(op.responses).some((s) => s.startsWith('2'))).toBe(true);
    }
  }
  const usage = doc.paths['/v1/usage']!.post!;
  expect(Object.keys(usage.responses)).toEqual(['201', '400', '401', '403', '404', '409', '422', '429']);
  expect(usage).toMatchObject({ parameters: [{ name: 'Idempotency-Key', in: 'header', required: true }] });
  expect(doc.components.schemas.RecordUsageRequest!.required).toEqual(['accountId', 'wallet', 'amount']);
  expect(doc.components.schemas.CreateOrderRequest!.required).toEqual(expect.arrayContaining(['wallet', 'amount']));
  expect(doc.components.schemas.Error).toMatchObject({ properties: { error: { required: ['code', 'message', 'fields'] } } });
});

test('When the docs page is opened, then it lists every operation and loads nothing from elsewhere', async () => {
  const doc = await fetchDocument();
  const res = await request(api.app).get('/docs');
  expect(res.status).toBe(200);
  expect(res.headers['content-type']).toMatch(/^text\/html/);
  for (const route of documentedRoutes(doc)) {
    const [method, path] = route.split(' ');
    expect(res.text).toContain(`<td><code>${method}</code></td><td><code>${path}</code></td>`);
  }
  expect(res.text).not.toMatch(/<(script|link|img)\b/i);
  expect(res.text).not.toMatch(/(src|href)="https?:/i);
});
