import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import Database from 'better-sqlite3';
import { asc, eq, sql } from 'drizzle-orm';
import { integer, sqliteTable, text } from 'drizzle-orm/sqlite-core';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { closeDatabase, openDatabase, reusableQuery, sqliteOf, type Db } from '../../src/db/client.ts';
import { inTransaction, TransactionAwaitedError, TransactionClosedError } from '../../src/db/transaction.ts';

/**
 * db/'s one transaction helper (DESIGN.md rule 10): a callback that awaits only its own queries
 * commits or rolls back as a whole, one that awaits anything else is refused with nothing written,
 * and no other caller's statement lands inside an open transaction (nor is rolled back with it).
 */

const items = sqliteTable('items', { id: integer('id').primaryKey(), label: text('label').notNull() });

describe('inTransaction', () => {
  let dataDir: string;
  let db: Db;
  const labels = async () => (await db.select({ label: items.label }).from(items).orderBy(asc(items.id))).map((row) => row.label);
  const add = (handle: Db, label: string) => handle.insert(items).values({ label });

  beforeEach(() => {
    dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'dials-transaction-'));
    db = openDatabase(path.join(dataDir, 'dials.db'));
    sqliteOf(db).exec('create table items (id integer primary key, label text not null)');
  });
  afterEach(() => {
    closeDatabase(db);
    fs.rmSync(dataDir, { recursive: true, force: true });
  });

  it('keeps the database usable when a transaction cannot begin', async () => {
    const shared = openDatabase(path.join(dataDir, 'shared.db'), { exclusive: false });
    try {
      sqliteOf(shared).exec('create table items (id integer primary key, label text not null)');
      sqliteOf(shared).pragma('busy_timeout = 20');
      const other = new Database(path.join(dataDir, 'shared.db'));
      other.exec('begin immediate');
      await expect(inTransaction(shared, async (tx) => add(tx, 'blocked'))).rejects.toThrow(/locked/);
      other.exec('rollback');
      other.close();
      await add(shared, 'after');
      await inTransaction(shared, async (tx) => add(tx, 'in a transaction'));
      expect((await shared.select({ label: items.label }).from(items).orderBy(asc(items.id))).map((row) => row.label)).toEqual(['after', 'in a transaction']);
    } finally {
      closeDatabase(shared);
    }
  });

  it('commits what the callback wrote, and answers what it returned', async () => {
    const answer = await inTransaction(db, async (tx) => {
      await add(tx, 'first');
      await add(tx, 'second');
      return (await tx.select().from(items)).length;
    });
    expect(answer).toBe(2);
    expect(await labels()).toEqual(['first', 'second']);
    expect(sqliteOf(db).inTransaction).toBe(false);
  });

  it('rolls everything back when the callback throws, and passes the error on', async () => {
    await add(db, 'before');
    const failing = inTransaction(db, async (tx) => {
      await add(tx, 'half');
      throw new Error('changed its mind');
    });
    await expect(failing).rejects.toThrow('changed its mind');
    expect(await labels()).toEqual(['before']);
    expect(sqliteOf(db).inTransaction).toBe(false);
  });

  it('refuses a callback that awaits a timer, and nothing of it is written, before or after the wait', async () => {
    let lateWrite: Promise<unknown> | null = null;
    const refused = inTransaction(db, async (tx) => {
      await add(tx, 'before the wait');
      await sleep(5);
      lateWrite = add(tx, 'after the wait');
      await lateWrite;
    });
    await expect(refused).rejects.toBeInstanceOf(TransactionAwaitedError);
    expect(sqliteOf(db).inTransaction).toBe(false);
    await sleep(20);
    await expect(lateWrite).rejects.toBeInstanceOf(TransactionClosedError);
    expect(await labels()).toEqual([]);
  });

  it('refuses a callback that queries the database handle instead of its transaction', async () => {
    const refused = inTransaction(db, async (tx) => {
      await add(tx, 'in the transaction');
      await add(db, 'beside it');
    });
    await expect(refused).rejects.toBeInstanceOf(TransactionAwaitedError);
    // The statement on the handle waited for the transaction to end, so it stands alone.
    await sleep(5);
    expect(await labels()).toEqual(['beside it']);
  });

  it('keeps another caller’s write, made while the transaction is open, out of it: a rollback does not take it along', async () => {
    const failing = inTransaction(db, async (tx) => {
      await add(tx, 'rolled back');
      await Promise.resolve();
      throw new Error('rolled back');
    });
    // Another request, in the same turn of the event loop: its statement waits for the transaction.
    const other = (async () => {
      await add(db, 'another request');
    })();
    await expect(failing).rejects.toThrow('rolled back');
    await other;
    expect(await labels()).toEqual(['another request']);
  });

  it('keeps a write from the next turn of the event loop out of a refused transaction', async () => {
    const refused = inTransaction(db, async (tx) => {
      await add(tx, 'refused');
      await sleep(10);
    });
    const other = new Promise<void>((resolve, reject) => {
      setTimeout(() => {
        add(db, 'another request').then(() => resolve(), reject);
      }, 0);
    });
    await expect(refused).rejects.toBeInstanceOf(TransactionAwaitedError);
    await other;
    expect(await labels()).toEqual(['another request']);
  });

  it('runs transactions started together one after the other', async () => {
    const order: string[] = [];
    const run = (label: string) =>
      inTransaction(db, async (tx) => {
        order.push(`${label} begins`);
        await add(tx, label);
        await add(tx, `${label} again`);
        order.push(`${label} ends`);
      });
    await Promise.all([run('one'), run('two')]);
    expect(order).toEqual(['one begins', 'one ends', 'two begins', 'two ends']);
    expect(await labels()).toEqual(['one', 'one again', 'two', 'two again']);
  });

  it('nests with a savepoint: an inner failure rolls back the inner part alone', async () => {
    await inTransaction(db, async (tx) => {
      await add(tx, 'outer');
      await expect(
        inTransaction(tx, async (inner) => {
          await add(inner, 'inner');
          throw new Error('inner fails');
        }),
      ).rejects.toThrow('inner fails');
      await inTransaction(tx, async (inner) => {
        await add(inner, 'inner kept');
      });
    });
    expect(await labels()).toEqual(['outer', 'inner kept']);
  });

  it('refuses statements on a transaction that has ended', async () => {
    let kept: Db | null = null;
    await inTransaction(db, async (tx) => {
      kept = tx;
    });
    await expect(add(kept!, 'too late')).rejects.toBeInstanceOf(TransactionClosedError);
    expect(await labels()).toEqual([]);
  });

  it('runs a reusable query on the database and inside a transaction, and refuses it on a transaction that has ended', async () => {
    const insert = reusableQuery((handle) => handle.insert(items).values({ label: sql.placeholder('label') }).prepare());
    const byLabel = reusableQuery((handle) => handle.select().from(items).where(eq(items.label, sql.placeholder('label'))).prepare());
    await insert(db).execute({ label: 'outside' });
    let kept: Db | null = null;
    const inside = await inTransaction(db, async (tx) => {
      kept = tx;
      await insert(tx).execute({ label: 'inside' });
      return byLabel(tx).execute({ label: 'inside' });
    });
    expect(inside).toEqual([{ id: 2, label: 'inside' }]);
    await expect(insert(kept!).execute({ label: 'too late' })).rejects.toBeInstanceOf(TransactionClosedError);
    await expect(inTransaction(db, async (tx) => insert(tx).execute({ label: 'rolled back' }).then(() => Promise.reject(new Error('no'))))).rejects.toThrow('no');
    expect(await labels()).toEqual(['outside', 'inside']);
    expect(await byLabel(db).execute({ label: 'outside' })).toEqual([{ id: 1, label: 'outside' }]);
  });

  it('shares a compiled statement between queries of the same text, whether they read rows as arrays or as objects', async () => {
    await add(db, 'one');
    // One SQL text, so one compiled statement: read as arrays (values), then as objects again (all, get).
    const query = sql`select id, label from items`;
    expect(await db.all(query)).toEqual([{ id: 1, label: 'one' }]);
    expect(await db.values(query)).toEqual([[1, 'one']]);
    expect(await db.all(query)).toEqual([{ id: 1, label: 'one' }]);
    expect(await db.get(query)).toEqual({ id: 1, label: 'one' });
  });
});
