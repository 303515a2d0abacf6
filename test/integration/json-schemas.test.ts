import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { buildApp } from '../../src/app.ts';
import { loadConfig } from '../../src/config.ts';
import { closeDatabase, openDatabase } from '../../src/db/client.ts';
import { applyMigrations } from '../../src/db/migrate.ts';

// Fastify's schema compilers are loaded when a route first needs them (src/app.ts); a route with
// JSON schemas must still be validated and its answer shaped by them.
describe('a route with JSON schemas', () => {
  it('refuses what its schema does not accept and answers only what its response schema lists', async () => {
    const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'dials-test-'));
    const config = loadConfig({ DATA_DIR: dataDir });
    const db = openDatabase(config.databaseFile);
    applyMigrations(db);
    const app = await buildApp(config, { db });
    try {
      app.get(
        '/schema-check',
        {
          schema: {
            querystring: { type: 'object', properties: { n: { type: 'integer' } }, required: ['n'] },
            response: { 200: { type: 'object', properties: { n: { type: 'integer' } } } },
          },
        },
        async (request) => ({ n: (request.query as { n: number }).n, secret: 'not listed' }),
      );
      const accepted = await app.inject('/schema-check?n=5');
      expect(accepted.statusCode).toBe(200);
      expect(accepted.json()).toEqual({ n: 5 });
      const refused = await app.inject('/schema-check?n=five');
      expect(refused.statusCode).toBe(400);
    } finally {
      await app.close();
      closeDatabase(db);
      fs.rmSync(dataDir, { recursive: true, force: true });
    }
  });
});
