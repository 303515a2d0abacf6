import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { closeDatabase, openDatabase, sqliteOf, type Db } from '../../src/db/client.ts';
import { bulkJobCacheKiB, withBulkJobCache } from '../../src/db/page-cache.ts';

/** A bulk job's page cache (db/page-cache.ts): small while the job runs, its own size again after. */
describe('withBulkJobCache', () => {
  let dataDir: string;
  let db: Db;
  const cacheSize = () => sqliteOf(db).pragma('cache_size', { simple: true });

  beforeEach(() => {
    dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'dials-page-cache-'));
    db = openDatabase(path.join(dataDir, 'dials.db'));
  });
  afterEach(() => {
    closeDatabase(db);
    fs.rmSync(dataDir, { recursive: true, force: true });
  });

  it('holds the cache small while the work runs and gives it its size back, also when the work fails', async () => {
    const before = cacheSize();
    expect(before).not.toBe(-bulkJobCacheKiB);
    expect(await withBulkJobCache(db, async () => cacheSize())).toBe(-bulkJobCacheKiB);
    expect(cacheSize()).toBe(before);
    await expect(
      withBulkJobCache(db, async () => {
        throw new Error('stopped');
      }),
    ).rejects.toThrow('stopped');
    expect(cacheSize()).toBe(before);
  });

  it('gives the size back when the last of overlapping holds ends', async () => {
    const before = cacheSize();
    let endFirst!: () => void;
    const first = withBulkJobCache(db, () => new Promise<void>((resolve) => (endFirst = resolve)));
    await withBulkJobCache(db, async () => {});
    expect(cacheSize()).toBe(-bulkJobCacheKiB);
    endFirst();
    await first;
    expect(cacheSize()).toBe(before);
  });
});
