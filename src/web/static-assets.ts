import fastifyStatic from '@fastify/static';
import crypto from 'node:crypto';
import fs from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { FastifyInstance } from 'fastify';

const publicDir = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../public');
const htmxFile = createRequire(import.meta.url).resolve('htmx.org/dist/htmx.min.js');

/** Changes whenever a shipped asset changes, so browsers may cache assets for a year. */
export const assetVersion = crypto
  .createHash('sha256')
  .update(fs.readdirSync(publicDir).sort().map((name) => fs.readFileSync(path.join(publicDir, name))).join('\n'))
  .update(fs.readFileSync(htmxFile))
  .digest('hex')
  .slice(0, 12);

const htmxSource = fs.readFileSync(htmxFile);

export async function registerStaticAssets(app: FastifyInstance): Promise<void> {
  await app.register(fastifyStatic, {
    root: publicDir,
    prefix: '/assets/',
    index: false,
    maxAge: '365d',
    immutable: true,
  });
  app.get('/assets/htmx.min.js', async (_request, reply) =>
    reply.header('content-type', 'text/javascript; charset=utf-8').header('cache-control', 'public, max-age=31536000, immutable').send(htmxSource),
  );
}
