import crypto from 'node:crypto';
import path from 'node:path';
import { promisify } from 'node:util';
import zlib from 'node:zlib';
import type { FastifyInstance } from 'fastify';
import { listProjectFiles, readPackageFile, readPrecompressed, readProjectFile } from '../runtime/project-files.ts';
import { chooseContentCoding, type ContentCoding } from './content-coding.ts';

const contentTypes: Record<string, string> = {
  '.css': 'text/css; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.svg': 'image/svg+xml',
};
/** Sent compressed when the browser accepts it; other assets (the icon) are too small to gain. */
const compressedTypes = new Set(['.css', '.js']);

interface Asset {
  body: Buffer;
  contentType: string;
  etag: string;
  codings: readonly ContentCoding[];
  /** The asset compressed; made at build time for the binary, at first request from sources. */
  compressed(coding: ContentCoding): Promise<Buffer>;
}

const brotli = promisify(zlib.brotliCompress);
const gzip = promisify(zlib.gzip);

function compress(body: Buffer, coding: ContentCoding): Promise<Buffer> {
  return coding === 'br'
    ? brotli(body, { params: { [zlib.constants.BROTLI_PARAM_QUALITY]: zlib.constants.BROTLI_MAX_QUALITY, [zlib.constants.BROTLI_PARAM_SIZE_HINT]: body.length } })
    : gzip(body, { level: zlib.constants.Z_BEST_COMPRESSION });
}

/** The assets to compress at build time, by the project path the binary embeds them under. */
export const compressedAssetFiles = (): string[] => [
  ...listProjectFiles('public').filter((name) => compressedTypes.has(path.extname(name))).map((name) => `public/${name}`),
  htmxFile,
];

const htmxFile = 'node_modules/htmx.org/dist/htmx.min.js';

function asset(projectFile: string, body: Buffer): Asset {
  const extension = path.extname(projectFile);
  const made = new Map<ContentCoding, Promise<Buffer>>();
  return {
    body,
    contentType: contentTypes[extension] ?? 'application/octet-stream',
    etag: crypto.createHash('sha256').update(body).digest('base64url').slice(0, 16),
    codings: compressedTypes.has(extension) ? ['br', 'gzip'] : [],
    compressed(coding) {
      let bytes = made.get(coding);
      if (bytes === undefined) {
        const precompressed = readPrecompressed(projectFile, coding);
        bytes = precompressed ? Promise.resolve(precompressed) : compress(body, coding);
        made.set(coding, bytes);
      }
      return bytes;
    },
  };
}

const publicAssets = listProjectFiles('public').map((name): [string, Asset] => [name, asset(`public/${name}`, readProjectFile(`public/${name}`))]);
const htmx = asset(htmxFile, readPackageFile('htmx.org/dist/htmx.min.js'));

/** Every asset by the name it is served under (/assets/<name>). */
const assets = new Map<string, Asset>([...publicAssets, ['htmx.min.js', htmx]]);

/** Changes whenever a shipped asset changes, so browsers may cache assets for a year. */
export const assetVersion = crypto
  .createHash('sha256')
  .update(publicAssets.map(([, { body }]) => body).join('\n'))
  .update(htmx.body)
  .digest('hex')
  .slice(0, 12);

/**
 * Serves public/ and htmx from memory under /assets/, cacheable for a year (their URLs carry
 * assetVersion). CSS and JavaScript go out with brotli or gzip when the browser accepts it.
 */
export async function registerStaticAssets(app: FastifyInstance): Promise<void> {
  app.get<{ Params: { name: string } }>('/assets/:name', async (request, reply) => {
    const found = assets.get(request.params.name);
    if (!found) return reply.callNotFound();
    const coding = chooseContentCoding(request.headers['accept-encoding'], found.codings);
    const etag = `"${found.etag}${coding ? `-${coding}` : ''}"`;
    reply.header('content-type', found.contentType).header('cache-control', 'public, max-age=31536000, immutable').header('etag', etag);
    if (found.codings.length > 0) reply.header('vary', 'Accept-Encoding');
    if (request.headers['if-none-match'] === etag) return reply.code(304).send();
    if (!coding) return reply.send(found.body);
    return reply.header('content-encoding', coding).send(await found.compressed(coding));
  });
}
