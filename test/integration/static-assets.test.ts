import fs from 'node:fs';
import { createRequire } from 'node:module';
import zlib from 'node:zlib';
import { afterEach, describe, expect, it } from 'vitest';
import { assetVersion } from '../../src/web/static-assets.ts';
import { createTestApp, type TestApp } from '../support/test-app.ts';

let t: TestApp | undefined;
afterEach(async () => {
  await t?.close();
  t = undefined;
});

const htmx = fs.readFileSync(createRequire(import.meta.url).resolve('htmx.org/dist/htmx.min.js'));
const css = fs.readFileSync(new URL('../../public/app.css', import.meta.url));
const immutable = 'public, max-age=31536000, immutable';

describe('static assets from the sources', () => {
  it('sends htmx, CSS and JavaScript with brotli or gzip as the browser accepts, cacheable for a year', async () => {
    t = await createTestApp();
    for (const [url, original] of [[`/assets/htmx.min.js?v=${assetVersion}`, htmx], ['/assets/app.css', css]] as const) {
      const brotli = await t.app.inject({ method: 'GET', url, headers: { 'accept-encoding': 'gzip, deflate, br, zstd' } });
      expect(brotli.statusCode).toBe(200);
      expect(brotli.headers['content-encoding']).toBe('br');
      expect(brotli.headers['cache-control']).toBe(immutable);
      expect(brotli.headers.vary).toBe('Accept-Encoding');
      expect(zlib.brotliDecompressSync(brotli.rawPayload).equals(original)).toBe(true);
      expect(brotli.rawPayload.length).toBeLessThan(original.length / 2);

      const gzip = await t.app.inject({ method: 'GET', url, headers: { 'accept-encoding': 'gzip' } });
      expect(gzip.headers['content-encoding']).toBe('gzip');
      expect(gzip.headers['cache-control']).toBe(immutable);
      expect(gzip.headers.vary).toBe('Accept-Encoding');
      expect(zlib.gunzipSync(gzip.rawPayload).equals(original)).toBe(true);

      const plain = await t.app.inject({ method: 'GET', url });
      expect(plain.headers['content-encoding']).toBeUndefined();
      expect(plain.headers.vary).toBe('Accept-Encoding');
      expect(plain.rawPayload.equals(original)).toBe(true);
    }
  });

  it('answers with the right types, and a repeated request with 304 for the same coding only', async () => {
    t = await createTestApp();
    const first = await t.app.inject({ method: 'GET', url: '/assets/app.js', headers: { 'accept-encoding': 'br' } });
    expect(first.headers['content-type']).toBe('text/javascript; charset=utf-8');
    const etag = String(first.headers.etag);
    expect((await t.app.inject({ method: 'GET', url: '/assets/app.js', headers: { 'accept-encoding': 'br', 'if-none-match': etag } })).statusCode).toBe(304);
    expect((await t.app.inject({ method: 'GET', url: '/assets/app.js', headers: { 'accept-encoding': 'gzip', 'if-none-match': etag } })).statusCode).toBe(200);
    expect((await t.app.inject({ method: 'GET', url: '/assets/app.css' })).headers['content-type']).toBe('text/css; charset=utf-8');
    const icon = await t.app.inject({ method: 'GET', url: '/assets/favicon.svg', headers: { 'accept-encoding': 'br' } });
    expect(icon.headers['content-type']).toBe('image/svg+xml');
    expect(icon.headers['content-encoding']).toBeUndefined();
    expect(icon.headers['cache-control']).toBe(immutable);
  });

  it('knows only its own files', async () => {
    t = await createTestApp();
    for (const url of ['/assets/nothing.js', '/assets/../package.json', '/assets/%2e%2e%2fpackage.json', '/assets/']) {
      const response = await t.app.inject({ method: 'GET', url });
      expect(response.statusCode, url).toBe(404);
    }
  });

  it('does not compress pages', async () => {
    t = await createTestApp();
    const page = await t.app.inject({ method: 'GET', url: '/login', headers: { 'accept-encoding': 'gzip, br' } });
    expect(page.statusCode).toBe(200);
    expect(page.headers['content-encoding']).toBeUndefined();
  });
});
